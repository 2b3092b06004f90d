#include "storage/sqlite/wal_buffer_vfs.h"

#include <sqlite3.h>

#include <cstdlib>
#include <cstring>
#include <mutex>

namespace motcua::storage {
namespace {

constexpr const char* kVfsName = "motcua-buffered-wal";
// One write call per 64 KiB of log (16 frames of 4 KiB pages instead of 32 calls). The unix VFS
// writes less than 128 KiB per call (it masks the length with 0x1ffff), so no more than that.
constexpr size_t kBufferBytes = size_t{64} << 10;

// Whether syncs of WAL files on this thread may be left to the caller (DeferWalSyncs).
thread_local bool t_defer_syncs = false;

// Our file object: the header SQLite sees, then the real file of the default VFS.
struct WalFile {
  sqlite3_file base;      // base.pMethods = &kWalMethods
  sqlite3_file* real;     // points just past this struct
  unsigned char* buffer;  // kBufferBytes, allocated on the first write
  sqlite3_int64 start;    // file offset of buffer[0]
  size_t used;            // bytes in the buffer
  bool synced_once;       // a real sync happened since the open (and synced the directory)
};

sqlite3_vfs* Real(sqlite3_vfs* vfs) { return static_cast<sqlite3_vfs*>(vfs->pAppData); }
WalFile* Wal(sqlite3_file* f) { return reinterpret_cast<WalFile*>(f); }

// Writes out what the buffer holds. SQLITE_OK when it is empty.
int Flush(WalFile* w) {
  if (w->used == 0) return SQLITE_OK;
  int rc = w->real->pMethods->xWrite(w->real, w->buffer, static_cast<int>(w->used), w->start);
  w->used = 0;
  return rc;
}

int Close(sqlite3_file* f) {
  WalFile* w = Wal(f);
  int rc = Flush(w);
  int rc_close = w->real->pMethods->xClose(w->real);
  std::free(w->buffer);
  w->buffer = nullptr;
  return rc != SQLITE_OK ? rc : rc_close;
}

int Read(sqlite3_file* f, void* out, int amount, sqlite3_int64 offset) {
  WalFile* w = Wal(f);
  if (int rc = Flush(w); rc != SQLITE_OK) return rc;
  return w->real->pMethods->xRead(w->real, out, amount, offset);
}

int Write(sqlite3_file* f, const void* data, int amount, sqlite3_int64 offset) {
  WalFile* w = Wal(f);
  auto n = static_cast<size_t>(amount);
  bool appends = w->used > 0 && offset == w->start + static_cast<sqlite3_int64>(w->used);
  if (!appends || w->used + n > kBufferBytes) {
    if (int rc = Flush(w); rc != SQLITE_OK) return rc;
  }
  if (n > kBufferBytes) return w->real->pMethods->xWrite(w->real, data, amount, offset);
  if (w->buffer == nullptr) {
    w->buffer = static_cast<unsigned char*>(std::malloc(kBufferBytes));
    if (w->buffer == nullptr) return w->real->pMethods->xWrite(w->real, data, amount, offset);
  }
  if (w->used == 0) w->start = offset;
  std::memcpy(w->buffer + w->used, data, n);
  w->used += n;
  return SQLITE_OK;
}

int Truncate(sqlite3_file* f, sqlite3_int64 size) {
  WalFile* w = Wal(f);
  if (int rc = Flush(w); rc != SQLITE_OK) return rc;
  return w->real->pMethods->xTruncate(w->real, size);
}

int Sync(sqlite3_file* f, int flags) {
  WalFile* w = Wal(f);
  if (int rc = Flush(w); rc != SQLITE_OK) return rc;
  if (t_defer_syncs && w->synced_once) return SQLITE_OK;  // the caller syncs (DeferWalSyncs)
  int rc = w->real->pMethods->xSync(w->real, flags);
  if (rc == SQLITE_OK) w->synced_once = true;
  return rc;
}

int FileSize(sqlite3_file* f, sqlite3_int64* size) {
  WalFile* w = Wal(f);
  if (int rc = Flush(w); rc != SQLITE_OK) return rc;
  return w->real->pMethods->xFileSize(w->real, size);
}

int FileControl(sqlite3_file* f, int op, void* arg) {
  WalFile* w = Wal(f);
  if (int rc = Flush(w); rc != SQLITE_OK) return rc;
  return w->real->pMethods->xFileControl(w->real, op, arg);
}

// The rest passes through (a log's locks and shared memory are its database's business).
int Lock(sqlite3_file* f, int level) { return Wal(f)->real->pMethods->xLock(Wal(f)->real, level); }
int Unlock(sqlite3_file* f, int level) {
  return Wal(f)->real->pMethods->xUnlock(Wal(f)->real, level);
}
int CheckReservedLock(sqlite3_file* f, int* out) {
  return Wal(f)->real->pMethods->xCheckReservedLock(Wal(f)->real, out);
}
int SectorSize(sqlite3_file* f) { return Wal(f)->real->pMethods->xSectorSize(Wal(f)->real); }
int DeviceCharacteristics(sqlite3_file* f) {
  return Wal(f)->real->pMethods->xDeviceCharacteristics(Wal(f)->real);
}
int ShmMap(sqlite3_file* f, int region, int size, int extend, void volatile** out) {
  return Wal(f)->real->pMethods->xShmMap(Wal(f)->real, region, size, extend, out);
}
int ShmLock(sqlite3_file* f, int offset, int n, int flags) {
  return Wal(f)->real->pMethods->xShmLock(Wal(f)->real, offset, n, flags);
}
void ShmBarrier(sqlite3_file* f) { Wal(f)->real->pMethods->xShmBarrier(Wal(f)->real); }
int ShmUnmap(sqlite3_file* f, int delete_flag) {
  return Wal(f)->real->pMethods->xShmUnmap(Wal(f)->real, delete_flag);
}
int Fetch(sqlite3_file* f, sqlite3_int64 offset, int amount, void** out) {
  WalFile* w = Wal(f);
  if (int rc = Flush(w); rc != SQLITE_OK) return rc;
  return w->real->pMethods->xFetch(w->real, offset, amount, out);
}
int Unfetch(sqlite3_file* f, sqlite3_int64 offset, void* p) {
  return Wal(f)->real->pMethods->xUnfetch(Wal(f)->real, offset, p);
}

const sqlite3_io_methods kWalMethods = {3,
                                        Close,
                                        Read,
                                        Write,
                                        Truncate,
                                        Sync,
                                        FileSize,
                                        Lock,
                                        Unlock,
                                        CheckReservedLock,
                                        FileControl,
                                        SectorSize,
                                        DeviceCharacteristics,
                                        ShmMap,
                                        ShmLock,
                                        ShmBarrier,
                                        ShmUnmap,
                                        Fetch,
                                        Unfetch};

int Open(sqlite3_vfs* vfs, const char* name, sqlite3_file* f, int flags, int* out_flags) {
  sqlite3_vfs* real = Real(vfs);
  if ((flags & SQLITE_OPEN_WAL) == 0) {
    // Not a log: the real file lives in our object and keeps its own methods.
    return real->xOpen(real, name, f, flags, out_flags);
  }
  WalFile* w = Wal(f);
  std::memset(w, 0, sizeof(WalFile));
  w->real = reinterpret_cast<sqlite3_file*>(w + 1);
  int rc = real->xOpen(real, name, w->real, flags, out_flags);
  // SQLite closes a file only if its methods are set; a failed open leaves them unset.
  w->base.pMethods = w->real->pMethods != nullptr ? &kWalMethods : nullptr;
  return rc;
}

// The VFS's other entry points are the default VFS's.
int Delete(sqlite3_vfs* v, const char* name, int sync_dir) {
  return Real(v)->xDelete(Real(v), name, sync_dir);
}
int Access(sqlite3_vfs* v, const char* name, int flags, int* out) {
  return Real(v)->xAccess(Real(v), name, flags, out);
}
int FullPathname(sqlite3_vfs* v, const char* name, int n, char* out) {
  return Real(v)->xFullPathname(Real(v), name, n, out);
}
void* DlOpen(sqlite3_vfs* v, const char* name) { return Real(v)->xDlOpen(Real(v), name); }
void DlError(sqlite3_vfs* v, int n, char* out) { Real(v)->xDlError(Real(v), n, out); }
void (*DlSym(sqlite3_vfs* v, void* h, const char* sym))(void) {
  return Real(v)->xDlSym(Real(v), h, sym);
}
void DlClose(sqlite3_vfs* v, void* h) { Real(v)->xDlClose(Real(v), h); }
int Randomness(sqlite3_vfs* v, int n, char* out) { return Real(v)->xRandomness(Real(v), n, out); }
int Sleep(sqlite3_vfs* v, int micros) { return Real(v)->xSleep(Real(v), micros); }
int CurrentTime(sqlite3_vfs* v, double* out) { return Real(v)->xCurrentTime(Real(v), out); }
int GetLastError(sqlite3_vfs* v, int n, char* out) {
  return Real(v)->xGetLastError(Real(v), n, out);
}
int CurrentTimeInt64(sqlite3_vfs* v, sqlite3_int64* out) {
  return Real(v)->xCurrentTimeInt64(Real(v), out);
}

}  // namespace

DeferWalSyncs::DeferWalSyncs() : before_(t_defer_syncs) { t_defer_syncs = true; }
DeferWalSyncs::~DeferWalSyncs() { t_defer_syncs = before_; }
WalSyncsNow::WalSyncsNow() : before_(t_defer_syncs) { t_defer_syncs = false; }
WalSyncsNow::~WalSyncsNow() { t_defer_syncs = before_; }

const char* BufferedWalVfs() {
  static const char* name = []() -> const char* {
    sqlite3_vfs* real = sqlite3_vfs_find(nullptr);
    if (real == nullptr || real->iVersion < 2) return nullptr;
    static sqlite3_vfs vfs{};
    vfs.iVersion = 2;
    vfs.szOsFile = static_cast<int>(sizeof(WalFile)) + real->szOsFile;
    vfs.mxPathname = real->mxPathname;
    vfs.zName = kVfsName;
    vfs.pAppData = real;
    vfs.xOpen = Open;
    vfs.xDelete = Delete;
    vfs.xAccess = Access;
    vfs.xFullPathname = FullPathname;
    vfs.xDlOpen = DlOpen;
    vfs.xDlError = DlError;
    vfs.xDlSym = DlSym;
    vfs.xDlClose = DlClose;
    vfs.xRandomness = Randomness;
    vfs.xSleep = Sleep;
    vfs.xCurrentTime = CurrentTime;
    vfs.xGetLastError = GetLastError;
    vfs.xCurrentTimeInt64 = CurrentTimeInt64;
    if (sqlite3_vfs_register(&vfs, 0) != SQLITE_OK) return nullptr;
    return kVfsName;
  }();
  return name;
}

}  // namespace motcua::storage
