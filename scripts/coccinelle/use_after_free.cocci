// A pointer used after kfree() or slab_free() gave it back: on some path
// from the free, before the pointer is assigned again, it is dereferenced,
// indexed, freed again, or passed to a function. sizeof(*p) reads
// nothing and is not a use. Known limits: a copy of the pointer made
// before the free is not followed, nor an array element (p[i] in a loop
// names another object each time), nor an object freed through another
// name. A deliberate misuse (the slab self-test's reports) says "on
// purpose" in a comment on its line or the line above.

@bad exists@
expression E, C, E2;
identifier fld, f;
position p0, p;
@@
(
kfree@p0(E);
|
slab_free@p0(C, E);
)
... when != E = E2
(
 E@p->fld
|
 *E@p
|
 E@p[...]
|
 kfree(E@p)
|
 slab_free(C, E@p)
|
 f(..., E@p, ...)
)

@insizeof@
expression bad.E;
position bad.p;
@@
sizeof(<+... E@p ...+>)

@script:python depends on bad && !insizeof@
E << bad.E;
p << bad.p;
@@
def on_purpose(name, line):
    with open(name) as f:
        lines = f.read().split("\n")
    return any("on purpose" in lines[k] for k in (line - 1, line - 2) if 0 <= k < len(lines))

if "[" not in E and not on_purpose(p[0].file, int(p[0].line)):
    print("%s:%s: use_after_free: %s used after it was freed" % (p[0].file, p[0].line, E))
