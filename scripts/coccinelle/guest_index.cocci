// A value the guest supplied used as an array index before it is range
// checked. The guest's values are a hypercall handler's arguments (the
// array "a" of a handler taking "const u64 *a", also once copied into a
// local) and the fields of a record read from guest memory with
// dom_copy_from_guest(); a check is a comparison of the value (<, <=, >,
// >=, ==, !=), or, for a record, passing it to a function whose name says
// it checks or validates (memop_check() for example) before the use. Known limits: a value
// passed to another function and used as an index there is not followed,
// and a check that does not bound the value (a != 0) still counts.

@arg exists@
typedef u64;
identifier fn, a;
type T;
expression A, N, X;
position p;
@@
T fn(..., const u64 *a)
{
... when != a[N] < X
    when != a[N] <= X
    when != a[N] > X
    when != a[N] >= X
    when != a[N] == X
    when != a[N] != X
    when any
 A[a[N]@p]
...
}

@argvar exists@
typedef u64;
identifier fn, a, I;
type T;
expression A, N, X;
position p;
@@
T fn(..., const u64 *a)
{
...
(
 I = a[N];
|
 u64 I = a[N];
)
... when != I < X
    when != I <= X
    when != I > X
    when != I >= X
    when != I == X
    when != I != X
    when != I = X
 A[I@p]
...
}

@rec exists@
expression D, M, X, A;
identifier fld;
identifier f =~ "check|valid";
statement S;
position p;
@@
(
if (dom_copy_from_guest(D, &M, ...)) S
|
dom_copy_from_guest(D, &M, ...);
)
... when != M.fld < X
    when != M.fld <= X
    when != M.fld > X
    when != M.fld >= X
    when != M.fld == X
    when != M.fld != X
    when != f(..., &M, ...)
 A[M.fld@p]

@script:python depends on arg@
p << arg.p;
@@
print("%s:%s: guest_index: a hypercall argument indexes an array before a range check" % (p[0].file, p[0].line))

@script:python depends on argvar@
p << argvar.p;
I << argvar.I;
@@
print("%s:%s: guest_index: %s, a hypercall argument, indexes an array before a range check" % (p[0].file, p[0].line, I))

@script:python depends on rec@
p << rec.p;
@@
print("%s:%s: guest_index: a field read from guest memory indexes an array before a range check" % (p[0].file, p[0].line))
