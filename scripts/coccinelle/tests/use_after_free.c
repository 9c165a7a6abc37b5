/* use_after_free.cocci must flag the functions named bad_* and no other. */
struct obj {
	int x;
};
void kfree(const void *p);
void slab_free(void *cache, void *obj);
void *kmalloc(unsigned long size);
void use(void *p);

int bad_member(struct obj *o)
{
	kfree(o);
	return o->x;
}

void bad_double(struct obj *o)
{
	kfree(o);
	kfree(o);
}

void bad_passed(void *cache, struct obj *o)
{
	slab_free(cache, o);
	use(o);
}

int good_reassigned(struct obj *o)
{
	kfree(o);
	o = kmalloc(sizeof(*o));
	if (!o)
		return 0;
	return o->x;
}

void good_other(struct obj *o, struct obj *q)
{
	kfree(o);
	use(q);
}
