// A SQLite VFS that coalesces the writes to a write-ahead log. SQLite writes every WAL frame as
// two system calls (its 24-byte header, then the page); a group commit of a few hundred dirty
// pages is then a thousand pwrite calls before one fsync. This VFS sits on the default one and,
// for WAL files only, gathers contiguous writes in a buffer that it writes out with one call
// before anything that must see them: a sync, a read, a truncation, a size query, a write
// elsewhere in the file, closing, or the buffer filling up. Every other file passes straight
// through. Durability is unchanged: nothing is acknowledged before the sync, and the sync
// writes the buffer first.
#pragma once

namespace motcua::storage {

// Registers the VFS once (thread-safe; later calls return the same name) and returns its name for
// sqlite3_open_v2, or nullptr if SQLite has no default VFS (then open with the default).
const char* BufferedWalVfs();

}  // namespace motcua::storage
