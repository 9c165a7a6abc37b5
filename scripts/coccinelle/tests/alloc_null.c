/* alloc_null.cocci must flag the functions named bad_* and no other. */
struct page;
struct obj {
	int x;
};
void *kmalloc(unsigned long size);
void *slab_alloc(void *cache);
struct page *alloc_pages(unsigned int order, unsigned int flags);
void use(void *p);
void kfree(const void *p);

int bad_member(void)
{
	struct obj *o;

	o = kmalloc(sizeof(*o));
	o->x = 1;
	return 0;
}

int bad_index(void *cache)
{
	int *a;

	a = slab_alloc(cache);
	a[0] = 1;
	return 0;
}

int bad_declared(void)
{
	struct obj *o = kmalloc(sizeof(*o));

	o->x = 3;
	return 0;
}

int good_declared_checked(void)
{
	struct obj *o = kmalloc(sizeof(*o));

	if (!o)
		return -1;
	o->x = 3;
	return 0;
}

int good_checked(void)
{
	struct obj *o;

	o = kmalloc(sizeof(*o));
	if (!o)
		return -1;
	o->x = 1;
	return 0;
}

int good_checked_equal(void)
{
	struct obj *o;

	o = kmalloc(sizeof(*o));
	if (o == 0)
		return -1;
	o->x = 2;
	return 0;
}

void bad_passed_on(void)
{
	struct page *pg;

	pg = alloc_pages(0, 0);
	use(pg);
}

int good_guarded(void)
{
	struct obj *o;

	o = kmalloc(sizeof(*o));
	return o && o->x == 1 ? 1 : o ? o->x : 0;
}

void good_freed_unused(void)
{
	void *p = kmalloc(16);

	kfree(p); /* kfree(NULL) is fine */
}
