// An allocation result used before it is checked: the first thing done
// with what kmalloc, kzalloc, kmalloc_node, kzalloc_node, slab_alloc,
// slab_alloc_node, alloc_pages or alloc_pages_mask returned (each may
// return NULL) is a dereference, an index, a member access or passing it
// to a function (other than those that take NULL or only report it:
// kfree, free_pages, slab_free, check, ASSERT, BUG_ON, printk, pr_*), on
// some path, with no mention of it in between (a test mentions it); the
// result assigned or the initialiser of a declaration.
// A use guarded in the same expression (E && E->x, E ? E->x : y) is not
// one. Known limits: a result stored into a structure field and used
// from there is not followed.

@bad exists@
expression E;
identifier fld;
identifier f !~ "^(kfree|free_pages|slab_free|check|ASSERT|BUG_ON|printk|pr_\\w+)$";
position p0, p;
@@
E@p0 = \(kmalloc\|kzalloc\|kmalloc_node\|kzalloc_node\|slab_alloc\|slab_alloc_node\|alloc_pages\|alloc_pages_mask\)(...);
... when != E
(
 E@p->fld
|
 *E@p
|
 E@p[...]
|
 f(..., E@p, ...)
)

@guarded@
expression bad.E;
position bad.p;
expression X;
@@
(
 E && <+... E@p ...+>
|
 E != NULL && <+... E@p ...+>
|
 E ? <+... E@p ...+> : X
|
 !E ? X : <+... E@p ...+>
|
 !E || <+... E@p ...+>
)

@script:python depends on bad && !guarded@
p0 << bad.p0;
p << bad.p;
@@
# sizeof(*E) in the allocation itself reads nothing.
if p[0].line != p0[0].line:
    print("%s:%s: alloc_null: allocation result used before it is checked" % (p[0].file, p[0].line))

@decl exists@
identifier I, fld;
identifier f !~ "^(kfree|free_pages|slab_free|check|ASSERT|BUG_ON|printk|pr_\\w+)$";
type T;
position p0, p;
@@
T I@p0 = \(kmalloc\|kzalloc\|kmalloc_node\|kzalloc_node\|slab_alloc\|slab_alloc_node\|alloc_pages\|alloc_pages_mask\)(...);
... when != I
(
 I@p->fld
|
 *I@p
|
 I@p[...]
|
 f(..., I@p, ...)
)

@decl_guarded@
identifier decl.I;
position decl.p;
expression X;
@@
(
 I && <+... I@p ...+>
|
 I != NULL && <+... I@p ...+>
|
 I ? <+... I@p ...+> : X
|
 !I ? X : <+... I@p ...+>
|
 !I || <+... I@p ...+>
)

@script:python depends on decl && !decl_guarded@
p0 << decl.p0;
p << decl.p;
@@
if p[0].line != p0[0].line:
    print("%s:%s: alloc_null: allocation result used before it is checked" % (p[0].file, p[0].line))
