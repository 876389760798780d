/*
 * objload.c — maps the native tier's cached object files without LLVM
 * (objload.h says why and what it accepts).
 *
 * Layout: the executable sections first, then the others, each group
 * starting on a page, in one anonymous mapping that is written while
 * relocating and then protected (text read+execute, the rest read-only,
 * or read-write if a section asks for it).  .eh_frame is not mapped:
 * nothing unwinds through machine code (traps return, tier.h), and its
 * relocations are skipped with it.  Symbols are looked up by name among
 * the object's defined globals, kept in a small table.
 */
#include "objload.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if defined(__x86_64__) && defined(__linux__)
#define OBJLOAD_X86_64 1
#include <elf.h>
#include <sys/mman.h>
#include <unistd.h>
#endif

struct wrt_objcode {
	void *map;
	size_t map_len;
	uint32_t nsyms;
	char **names;               /* defined globals, in one block with names */
	void **addrs;
};

bool
wrt_obj_supported(void)
{
#ifdef OBJLOAD_X86_64
	return true;
#else
	return false;
#endif
}

void *
wrt_obj_symbol(const wrt_objcode *o, const char *name)
{
	for (uint32_t i = 0; o && i < o->nsyms; i++)
		if (strcmp(o->names[i], name) == 0)
			return o->addrs[i];
	return NULL;
}

void
wrt_obj_free(wrt_objcode *o)
{
	if (!o)
		return;
#ifdef OBJLOAD_X86_64
	if (o->map)
		munmap(o->map, o->map_len);
#endif
	free(o->names);
	free(o);
}

#ifndef OBJLOAD_X86_64

wrt_objcode *
wrt_obj_load(const void *bytes, size_t len, wrt_obj_resolver resolve, void *arg, char *err, size_t errlen)
{
	(void) bytes, (void) len, (void) resolve, (void) arg;
	snprintf(err, errlen, "object loading is not supported on this machine");
	return NULL;
}

#else

/* A string of a string table, or NULL when it does not end inside it. */
static const char *
str_at(const uint8_t *b, size_t len, const Elf64_Shdr *strtab, uint64_t off)
{
	if (strtab->sh_type != SHT_STRTAB || strtab->sh_offset > len || strtab->sh_size > len - strtab->sh_offset
		|| off >= strtab->sh_size)
		return NULL;
	const char *s = (const char *) b + strtab->sh_offset + off;
	return memchr(s, '\0', strtab->sh_size - off) ? s : NULL;
}

#define FAIL(...) do { snprintf(err, errlen, __VA_ARGS__); goto fail; } while (0)

wrt_objcode *
wrt_obj_load(const void *bytes, size_t len, wrt_obj_resolver resolve, void *arg, char *err, size_t errlen)
{
	const uint8_t *b = bytes;
	const Elf64_Ehdr *eh = bytes;
	wrt_objcode *o = calloc(1, sizeof(*o));
	uintptr_t *base = NULL;     /* per section: where it is mapped, 0 if not */
	if (!o)
	{
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	if (len < sizeof(*eh) || memcmp(eh->e_ident, ELFMAG, SELFMAG) != 0 || eh->e_ident[EI_CLASS] != ELFCLASS64
		|| eh->e_ident[EI_DATA] != ELFDATA2LSB || eh->e_type != ET_REL || eh->e_machine != EM_X86_64
		|| eh->e_shentsize != sizeof(Elf64_Shdr))
		FAIL("not an x86-64 relocatable object");
	uint32_t nsec = eh->e_shnum;
	if (nsec == 0 || eh->e_shoff > len || (len - eh->e_shoff) / sizeof(Elf64_Shdr) < nsec
		|| eh->e_shoff % 8 != 0 || eh->e_shstrndx >= nsec)
		FAIL("bad section table");
	const Elf64_Shdr *sh = (const Elf64_Shdr *) (b + eh->e_shoff);
	if (!(base = calloc(nsec, sizeof(*base))))
		FAIL("out of memory");

	/* Layout: offsets within the text group, then the data group. */
	uint64_t *at = calloc(nsec, sizeof(*at));
	if (!at)
		FAIL("out of memory");
	uint64_t size[2] = {0, 0};
	bool writable = false;
	long page = sysconf(_SC_PAGESIZE);
	for (uint32_t i = 1; i < nsec; i++)
	{
		const Elf64_Shdr *s = &sh[i];
		const char *name = str_at(b, len, &sh[eh->e_shstrndx], s->sh_name);
		if (!name)
		{
			free(at);
			FAIL("bad section name");
		}
		if (!(s->sh_flags & SHF_ALLOC) || s->sh_size == 0 || s->sh_type == SHT_X86_64_UNWIND
			|| strcmp(name, ".eh_frame") == 0)
			continue;
		if (s->sh_type != SHT_PROGBITS && s->sh_type != SHT_NOBITS)
		{
			free(at);
			FAIL("section %.40s of an unknown kind", name);
		}
		uint64_t align = s->sh_addralign ? s->sh_addralign : 1;
		if ((align & (align - 1)) != 0 || align > (uint64_t) page || s->sh_size > ((uint64_t) 1 << 30)
			|| (s->sh_type == SHT_PROGBITS && (s->sh_offset > len || s->sh_size > len - s->sh_offset)))
		{
			free(at);
			FAIL("bad section %.40s", name);
		}
		int g = (s->sh_flags & SHF_EXECINSTR) ? 0 : 1;
		size[g] = (size[g] + align - 1) & ~(align - 1);
		at[i] = size[g] | ((uint64_t) g << 62);
		base[i] = 1;            /* mapped: the address comes below */
		size[g] += s->sh_size;
		writable |= (s->sh_flags & SHF_WRITE) != 0;
	}
	size_t text_len = ((size_t) size[0] + (size_t) page - 1) & ~((size_t) page - 1);
	size_t data_len = ((size_t) size[1] + (size_t) page - 1) & ~((size_t) page - 1);
	o->map_len = text_len + data_len;
	if (o->map_len == 0)
	{
		free(at);
		FAIL("no code");
	}
	o->map = mmap(NULL, o->map_len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (o->map == MAP_FAILED)
	{
		o->map = NULL;
		free(at);
		FAIL("cannot map %zu bytes", o->map_len);
	}
	for (uint32_t i = 1; i < nsec; i++)
	{
		if (!base[i])
			continue;
		int g = (int) (at[i] >> 62);
		base[i] = (uintptr_t) o->map + (g ? text_len : 0) + (at[i] & (((uint64_t) 1 << 62) - 1));
		if (sh[i].sh_type == SHT_PROGBITS)
			memcpy((void *) base[i], b + sh[i].sh_offset, sh[i].sh_size);
	}
	free(at);

	/* The symbol table. */
	const Elf64_Shdr *symtab = NULL;
	for (uint32_t i = 1; i < nsec; i++)
		if (sh[i].sh_type == SHT_SYMTAB)
		{
			if (symtab)
				FAIL("two symbol tables");
			symtab = &sh[i];
		}
	if (!symtab || symtab->sh_entsize != sizeof(Elf64_Sym) || symtab->sh_offset > len
		|| symtab->sh_size > len - symtab->sh_offset || symtab->sh_offset % 8 != 0 || symtab->sh_link >= nsec)
		FAIL("bad symbol table");
	const Elf64_Sym *syms = (const Elf64_Sym *) (b + symtab->sh_offset);
	uint64_t nsym = symtab->sh_size / sizeof(Elf64_Sym);
	const Elf64_Shdr *strtab = &sh[symtab->sh_link];
	uint32_t symtab_index = (uint32_t) (symtab - sh);

	/* Relocations of the mapped sections. */
	for (uint32_t i = 1; i < nsec; i++)
	{
		const Elf64_Shdr *r = &sh[i];
		if (r->sh_type == SHT_REL)
			FAIL("REL relocations");
		if (r->sh_type != SHT_RELA || r->sh_info >= nsec || !base[r->sh_info])
			continue;
		if (r->sh_link != symtab_index || r->sh_entsize != sizeof(Elf64_Rela) || r->sh_offset > len
			|| r->sh_size > len - r->sh_offset || r->sh_offset % 8 != 0)
			FAIL("bad relocation section");
		const Elf64_Shdr *target = &sh[r->sh_info];
		if (target->sh_type == SHT_NOBITS)
			FAIL("relocations of an empty section");
		const Elf64_Rela *rel = (const Elf64_Rela *) (b + r->sh_offset);
		for (uint64_t k = 0; k < r->sh_size / sizeof(Elf64_Rela); k++)
		{
			uint32_t type = ELF64_R_TYPE(rel[k].r_info);
			uint64_t si = ELF64_R_SYM(rel[k].r_info);
			if (type == R_X86_64_NONE)
				continue;
			unsigned width = type == R_X86_64_64 || type == R_X86_64_PC64 ? 8
				: type == R_X86_64_PC32 || type == R_X86_64_PLT32 || type == R_X86_64_32
				|| type == R_X86_64_32S ? 4 : 0;
			if (width == 0)
				FAIL("relocation type %u", type);
			if (rel[k].r_offset > target->sh_size || target->sh_size - rel[k].r_offset < width || si >= nsym)
				FAIL("bad relocation");
			const Elf64_Sym *sym = &syms[si];
			uintptr_t S;
			if (sym->st_shndx == SHN_UNDEF)
			{
				const char *name = str_at(b, len, strtab, sym->st_name);
				void *p = name && *name ? resolve(arg, name) : NULL;
				if (!p)
					FAIL("unresolved symbol %.60s", name ? name : "?");
				S = (uintptr_t) p;
			}
			else if (sym->st_shndx == SHN_ABS)
				S = (uintptr_t) sym->st_value;
			else if (sym->st_shndx < nsec && base[sym->st_shndx] && sym->st_value <= sh[sym->st_shndx].sh_size)
				S = base[sym->st_shndx] + (uintptr_t) sym->st_value;
			else
				FAIL("relocation against a section not mapped");
			uintptr_t P = base[r->sh_info] + (uintptr_t) rel[k].r_offset;
			uint64_t v = (uint64_t) S + (uint64_t) rel[k].r_addend;
			if (type == R_X86_64_PC32 || type == R_X86_64_PLT32 || type == R_X86_64_PC64)
				v -= (uint64_t) P;
			if (width == 4)
			{
				bool is_signed = type != R_X86_64_32;
				int64_t sv = (int64_t) v;
				if (is_signed ? (sv < INT32_MIN || sv > INT32_MAX) : v > UINT32_MAX)
					FAIL("relocation out of range");
				uint32_t v32 = (uint32_t) v;
				memcpy((void *) P, &v32, 4);
			}
			else
				memcpy((void *) P, &v, 8);
		}
	}

	/* The defined globals, by name. */
	size_t names_len = 0;
	for (uint64_t k = 1; k < nsym; k++)
	{
		const Elf64_Sym *sym = &syms[k];
		if (ELF64_ST_BIND(sym->st_info) != STB_GLOBAL || sym->st_shndx == SHN_UNDEF || sym->st_shndx >= nsec
			|| !base[sym->st_shndx])
			continue;
		const char *name = str_at(b, len, strtab, sym->st_name);
		if (!name || sym->st_value > sh[sym->st_shndx].sh_size)
			FAIL("bad symbol");
		names_len += strlen(name) + 1;
		o->nsyms++;
	}
	char *block = malloc(o->nsyms * (sizeof(char *) + sizeof(void *)) + names_len + 1);
	if (!block)
		FAIL("out of memory");
	o->names = (char **) block;
	o->addrs = (void **) (block + o->nsyms * sizeof(char *));
	char *np = block + o->nsyms * (sizeof(char *) + sizeof(void *));
	uint32_t n = 0;
	for (uint64_t k = 1; k < nsym && n < o->nsyms; k++)
	{
		const Elf64_Sym *sym = &syms[k];
		if (ELF64_ST_BIND(sym->st_info) != STB_GLOBAL || sym->st_shndx == SHN_UNDEF || sym->st_shndx >= nsec
			|| !base[sym->st_shndx])
			continue;
		const char *name = str_at(b, len, strtab, sym->st_name);
		size_t l = strlen(name) + 1;
		memcpy(np, name, l);
		o->names[n] = np;
		o->addrs[n] = (void *) (base[sym->st_shndx] + (uintptr_t) sym->st_value);
		np += l;
		n++;
	}

	if ((text_len && mprotect(o->map, text_len, PROT_READ | PROT_EXEC) != 0)
		|| (data_len && mprotect((char *) o->map + text_len, data_len, PROT_READ | (writable ? PROT_WRITE : 0)) != 0))
		FAIL("cannot protect the code");
	free(base);
	return o;

fail:
	free(base);
	wrt_obj_free(o);
	return NULL;
}

#endif
