// An allocation result used before it is checked: the first thing done
// with what kmalloc, kzalloc, kmalloc_node, kzalloc_node, slab_alloc,
// slab_alloc_node, alloc_pages or alloc_pages_mask returned (each may
// return NULL) is a dereference, an index or a member access, on some
// path, with no mention of it in between (a test mentions it).
// A use guarded in the same expression (E && E->x, E ? E->x : y) is not
// one. Known limits: a result first passed to another function is not
// followed; nor is one stored into a structure field and used from there.

@bad exists@
expression E;
identifier fld;
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
