// Content-addressed storage of dossier files (components and results) on a file system.
//
// A blob is named by the SHA-256 of its bytes: <root>/blobs/ab/cd/<sha256>. An upload streams
// into <root>/tmp/<random>.part while it is hashed; Commit() checks the content (type sniffed from
// the bytes, truncation, bombs: domain/files/file_check.h), fdatasyncs it, renames it into place
// and fsyncs the directory. The same bytes uploaded twice are stored once, and checked once: an
// upload of bytes already stored skips the check (they passed it when first stored). Appends are
// gathered into 64 KiB writes, so a client sending tiny pieces costs no system call per piece. A
// crash leaves at most a temporary file or a blob that no database row names; Sweep() removes both
// (motcua does it at start-up and `motcua files gc` on demand), so a blob named by a row is always
// whole.
//
// With SQLite the root is a local directory beside the database. With PostgreSQL, several nodes
// share one root on a shared file system (NFS, CephFS, ...): rename within a directory is atomic
// there too, and Sweep's grace period keeps one node from deleting another's upload in flight.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <unordered_set>

#include "common/crypto.h"
#include "common/file_system.h"
#include "common/random.h"
#include "domain/files/file_check.h"

namespace motcua::storage {

// A blob after Commit.
struct StoredBlob {
  std::string sha256;
  uint64_t size = 0;
  MediaType media_type = MediaType::kPdf;
  bool deduplicated = false;  // the same bytes were already stored
};

struct SweepReport {
  uint64_t temp_removed = 0;   // leftovers of interrupted uploads
  uint64_t blobs_removed = 0;  // blobs no row names
  uint64_t blobs_kept = 0;
};

class BlobStore {
 public:
  // Borrows `fs` and `random`, which must outlive the store. Thread-safe.
  BlobStore(std::string root, FileSystem& fs, Random& random);

  // Creates the directories. Call once before use.
  Status Open();

  // One upload in progress. Not thread-safe (one coroutine feeds it). Destroying it before
  // Commit removes its temporary file.
  class Writer {
   public:
    Writer(Writer&&) noexcept;
    Writer& operator=(Writer&&) = delete;
    ~Writer();
    // Hashes and writes the next piece (pieces are gathered into writes of kWriteBytes).
    // kPayloadTooLarge past the writer's limit; kUnavailable on a file system error. After a
    // failure the writer is finished.
    Status Append(std::string_view data);
    uint64_t size() const { return size_; }
    // Checks, syncs and stores the blob (see the file comment); bytes already stored are not
    // checked again. Call once. On any failure nothing is left behind.
    Result<StoredBlob> Commit(const FileContentLimits& limits);

    // Appends are buffered up to this many bytes before they are written.
    static constexpr size_t kWriteBytes = 64 * 1024;

   private:
    friend class BlobStore;
    Writer(BlobStore& store, std::string temp, int fd, uint64_t max_bytes);
    void Abandon();
    // Hashes and writes what is buffered.
    Status Flush();

    static constexpr size_t kHeadBytes = 1024;  // what SniffMediaType needs

    BlobStore* store_;
    std::string temp_;
    int fd_ = -1;
    uint64_t max_bytes_;
    uint64_t size_ = 0;
    std::unique_ptr<Sha256Stream> hash_;
    std::string pending_;  // appended, not yet hashed and written
    std::string head_;     // the first kHeadBytes, to name the type of bytes already stored
  };

  // Starts an upload of at most `max_bytes`.
  Result<Writer> Begin(uint64_t max_bytes);
  // Stores bytes already in memory (generated results, demo data) the same way.
  Result<StoredBlob> Put(std::string_view bytes, const FileContentLimits& limits);
  // The bytes of a blob (at most `max` of them); kNotFound if it is not stored.
  Result<std::string> Read(const std::string& sha256, size_t max);
  bool Has(const std::string& sha256);
  // Where the blob of `sha256` lives (it may not exist).
  std::string PathOf(const std::string& sha256) const;

  // Removes temporary files and blobs for which `referenced` is false, if they were last
  // touched at least `grace` ago.
  Result<SweepReport> Sweep(const std::unordered_set<std::string>& referenced,
                            std::chrono::seconds grace);
  // Every stored blob whose name is not the SHA-256 of its bytes, or that `expected` names but
  // is missing (for `motcua files verify`). Empty when all is well.
  Result<std::vector<std::string>> Verify(const std::unordered_set<std::string>& expected,
                                          size_t max_file_bytes);

  const std::string& root() const { return root_; }

 private:
  std::string root_;
  FileSystem& fs_;
  Random& random_;
};

}  // namespace motcua::storage
