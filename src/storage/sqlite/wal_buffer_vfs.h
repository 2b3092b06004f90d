// A SQLite VFS that coalesces the writes to a write-ahead log. SQLite writes every WAL frame as
// two system calls (its 24-byte header, then the page); a group commit of a few hundred dirty
// pages is then a thousand pwrite calls before one fsync. This VFS sits on the default one and,
// for WAL files only, gathers contiguous writes in a buffer that it writes out with one call
// before anything that must see them: a sync, a read, a truncation, a size query, a write
// elsewhere in the file, closing, or the buffer filling up. Every other file passes straight
// through. Durability is unchanged: nothing is acknowledged before the sync, and the sync
// writes the buffer first. Every connection runs with synchronous=FULL, so each commit syncs
// the log (or, under DeferWalSyncs, at least writes out the buffer) before SQLite publishes its
// frames to readers in the WAL index. Under synchronous=NORMAL it would not (a commit does not
// sync the log, so readers could look for frames still in the buffer): keep FULL, or flush on
// the database file's xShmBarrier first.
#pragma once

namespace motcua::storage {

// While one is alive on a thread, a sync that SQLite asks of a WAL file (on that thread) writes
// out the buffer and returns without waiting for the disk, provided the file has had one real
// sync since it was opened (which also made its directory entry durable); the caller then makes
// the log durable itself with fdatasync (SqliteConnection::SyncCommitted). For the COMMIT of a
// group commit only: a checkpoint must never copy pages from a log that is not on disk, so
// code that checkpoints inside such a COMMIT (the WAL hook) opens a WalSyncsNow first.
class DeferWalSyncs {
 public:
  DeferWalSyncs();
  ~DeferWalSyncs();
  DeferWalSyncs(const DeferWalSyncs&) = delete;
  DeferWalSyncs& operator=(const DeferWalSyncs&) = delete;

 private:
  bool before_;
};

// Undoes DeferWalSyncs on this thread while it is alive.
class WalSyncsNow {
 public:
  WalSyncsNow();
  ~WalSyncsNow();
  WalSyncsNow(const WalSyncsNow&) = delete;
  WalSyncsNow& operator=(const WalSyncsNow&) = delete;

 private:
  bool before_;
};

// Registers the VFS once (thread-safe; later calls return the same name) and returns its name for
// sqlite3_open_v2, or nullptr if SQLite has no default VFS (then open with the default).
const char* BufferedWalVfs();

}  // namespace motcua::storage
