/*
 * bcryptprimitives.dll for the Wine prefix that runs pstcheck's Windows
 * build in tests (scripts/wine-setup builds and installs it). Never part of
 * a release: real Windows has the real DLL and needs neither fix below.
 *
 * 1. ProcessPrng. Go 1.24 and later link every Windows binary against
 *    bcryptprimitives!ProcessPrng, which Wine 8 does not provide, so the
 *    program stops before main. ProcessPrng fills the whole buffer with
 *    random bytes and returns TRUE; BCryptGenRandom with the
 *    system-preferred RNG gives the bytes (it takes a ULONG length, hence
 *    the loop).
 *
 * 2. FileDispositionInformationEx. Go deletes files (os.Remove in an
 *    os.Root, os.RemoveAll, so also the clean-up of every t.TempDir) by
 *    NtSetInformationFile with that information class (64), and falls back
 *    to the older FileDispositionInformation (13) when the system answers
 *    that it does not know the class or a flag, as Windows does on FAT
 *    volumes. Wine 8 answers STATUS_NOT_IMPLEMENTED instead, which Go
 *    passes on as "Invalid function". Go is the only caller of interest and
 *    it finds NtSetInformationFile through kernel32!GetProcAddress in its
 *    import table, so this DLL, loaded before Go's code runs, points that
 *    import at a GetProcAddress that hands out a NtSetInformationFile
 *    answering class 64 with STATUS_INVALID_INFO_CLASS, the answer of a
 *    Windows that lacks the class. Deletion then takes Go's own fallback;
 *    every other class goes to Wine unchanged.
 */
#include <windows.h>
#include <bcrypt.h>
#include <string.h>

__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE out, SIZE_T len)
{
	while (len > 0) {
		ULONG chunk = len > 0x10000000 ? 0x10000000 : (ULONG)len;
		if (!BCRYPT_SUCCESS(BCryptGenRandom(NULL, out, chunk,
		                                    BCRYPT_USE_SYSTEM_PREFERRED_RNG)))
			return FALSE;
		out += chunk;
		len -= chunk;
	}
	return TRUE;
}

typedef LONG (NTAPI *set_info_fn)(HANDLE, PVOID, PVOID, ULONG, ULONG);
typedef FARPROC (WINAPI *get_proc_fn)(HMODULE, LPCSTR);

static set_info_fn wine_set_info;
static get_proc_fn real_get_proc;

#define FILE_DISPOSITION_INFORMATION_EX_CLASS 64
#define STATUS_INVALID_INFO_CLASS_CODE ((LONG)0xC0000003)

static LONG NTAPI set_info(HANDLE h, PVOID iosb, PVOID info, ULONG len, ULONG cls)
{
	if (cls == FILE_DISPOSITION_INFORMATION_EX_CLASS)
		return STATUS_INVALID_INFO_CLASS_CODE;
	return wine_set_info(h, iosb, info, len, cls);
}

static FARPROC WINAPI get_proc(HMODULE mod, LPCSTR name)
{
	FARPROC p = real_get_proc(mod, name);
	/* name may be an ordinal (high bits zero) rather than a string. */
	if (p && (ULONG_PTR)name > 0xFFFF && strcmp(name, "NtSetInformationFile") == 0 &&
	    mod == GetModuleHandleA("ntdll.dll")) {
		wine_set_info = (set_info_fn)p;
		return (FARPROC)set_info;
	}
	return p;
}

/* Points the program's kernel32!GetProcAddress import at get_proc. */
static void hook_program_imports(void)
{
	BYTE *base = (BYTE *)GetModuleHandleA(NULL);
	IMAGE_NT_HEADERS *nt = (IMAGE_NT_HEADERS *)(base + ((IMAGE_DOS_HEADER *)base)->e_lfanew);
	IMAGE_DATA_DIRECTORY dir = nt->OptionalHeader.DataDirectory[IMAGE_DIRECTORY_ENTRY_IMPORT];
	IMAGE_IMPORT_DESCRIPTOR *d;

	real_get_proc = (get_proc_fn)GetProcAddress(GetModuleHandleA("kernel32.dll"), "GetProcAddress");
	if (!real_get_proc || dir.VirtualAddress == 0)
		return;
	for (d = (IMAGE_IMPORT_DESCRIPTOR *)(base + dir.VirtualAddress); d->Name; d++) {
		IMAGE_THUNK_DATA *slot = (IMAGE_THUNK_DATA *)(base + d->FirstThunk);
		if (lstrcmpiA((char *)(base + d->Name), "kernel32.dll") != 0)
			continue;
		for (; slot->u1.Function; slot++) {
			DWORD old;
			if ((FARPROC)slot->u1.Function != (FARPROC)real_get_proc)
				continue;
			if (VirtualProtect(&slot->u1.Function, sizeof slot->u1.Function, PAGE_READWRITE, &old)) {
				slot->u1.Function = (ULONG_PTR)get_proc;
				VirtualProtect(&slot->u1.Function, sizeof slot->u1.Function, old, &old);
			}
		}
	}
}

BOOL WINAPI DllMain(HINSTANCE inst, DWORD reason, LPVOID reserved)
{
	(void)inst;
	(void)reserved;
	if (reason == DLL_PROCESS_ATTACH)
		hook_program_imports();
	return TRUE;
}
