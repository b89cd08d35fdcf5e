// MappedFile: one open file, memory-mapped MAP_SHARED read/write over a virtual `capacity`, with its disk blocks
// allocated (posix_fallocate) ahead of the writer in steps, so stores into the mapping never hit a hole (slow
// first touch) or an unallocated block (SIGBUS on a full disk): ENOSPC surfaces from Reserve(), before any byte
// is copied.
//
// Lifetime and views. Three objects:
//  - Region: one mmap'd range; munmap in its destructor. Every zero-copy Buffer handed to JS holds a
//    shared_ptr<Region> (its finalizer drops it), so no JS value ever points at unmapped memory.
//  - InodeViews: per inode, process-wide (a registry keyed by device and inode): how many views are live and how
//    far they reach. A shrink that would cut under a live view is deferred here and applied, through its own
//    descriptor, when the last view of that inode goes, even if the file was closed and reopened meanwhile.
//  - MappedFile: the owner's handle (descriptor, allocation, current Region). Remap() swaps in a larger Region;
//    old Regions live on while views hold them.
// Invariants: bytes in [0, allocated()) are backed by the file; nothing touches [allocated(), capacity()); the
// file is never shrunk below the end of a live view of its inode.
// Threading: owner calls on the JS thread; Sync() may run on a libuv worker that holds its own shared_ptr.
// InodeViews is guarded by a mutex (finalizers and worker threads of other Node environments may touch it).
#pragma once
#include <sys/uio.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "status.h"

namespace strata {

struct InodeViews;

class Region {
 public:
  Region(uint8_t* base, size_t length, std::shared_ptr<InodeViews> inode)
      : base_(base), length_(length), inode_(std::move(inode)) {}
  ~Region();
  Region(const Region&) = delete;
  Region& operator=(const Region&) = delete;
  uint8_t* data() const { return base_; }
  size_t length() const { return length_; }
  // View bookkeeping: call Acquire when a Buffer starts viewing [.., end), Release from its finalizer.
  void AcquireView(size_t end);
  void ReleaseView();
  size_t liveViews() const;

 private:
  uint8_t* base_;
  size_t length_;
  std::shared_ptr<InodeViews> inode_;
};

class MappedFile {
 public:
  enum class Mode { kCreate, kOpenExisting, kOpenOrCreate };

  // capacity: virtual length of the mapping; raised to the current file size if smaller.
  // growthStep: how far beyond a request Reserve() allocates, to amortise fallocate calls.
  static Status Open(const std::string& path, Mode mode, size_t capacity, size_t growthStep,
                     std::shared_ptr<MappedFile>* out);
  ~MappedFile();
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;

  uint8_t* data() const { return region_ ? region_->data() : nullptr; }
  const std::shared_ptr<Region>& region() const { return region_; }
  size_t capacity() const { return capacity_; }
  size_t allocated() const { return allocated_; }
  const std::string& path() const { return path_; }

  // Ensures [0, end) is allocated on disk. end <= capacity().
  Status Reserve(size_t end);
  // Writes [position, position+len) with pwrite (after Reserve). Measured faster than a memcpy into the mapping:
  // a store into a fresh page of a MAP_SHARED file faults, zero-fills the page, then runs page_mkwrite, while
  // pwrite fills the page cache directly. The mapping sees the bytes through the same page cache.
  Status Write(size_t position, const uint8_t* data, size_t len);
  // The pieces written back to back from `position` with pwritev (one system call for up to IOV_MAX pieces).
  Status WriteV(size_t position, const struct iovec* pieces, int count);
  // Maps the file anew with a larger virtual capacity (views of the old mapping stay valid).
  Status Remap(size_t capacity);
  // Sets the file length to `size`: now if no live view of the inode reaches past it, otherwise when the last one
  // goes. With zeroTail, a deferred shrink first zeroes [size, allocated) in the file (fallocate ZERO_RANGE, or
  // written zeros), so neither a crash before the shrink nor a later append can bring old bytes back.
  Status TruncateFile(size_t size, bool zeroTail = false);
  // fdatasync: on Linux this also writes back pages dirtied through the shared mapping (tracked by page_mkwrite).
  Status Sync() const;
  // Durability bookkeeping, JS thread only. [0, syncedSize()) of the file is known on disk: a flush captures the
  // data size and the truncation count when it is queued and, once its fdatasync returned, notes that size,
  // unless a truncation below it happened meanwhile (its bytes may then have been replaced by unsynced ones).
  size_t syncedSize() const { return synced_; }
  uint64_t truncations() const { return truncations_; }
  void NoteSynced(size_t size, uint64_t truncationsAtStart) {
    if (truncationsAtStart == truncations_ && size > synced_) synced_ = size;
  }
  // The data now ends at `size` (a truncation of batches, not a trim of preallocated space).
  void NoteTruncated(size_t size) {
    truncations_++;
    if (synced_ > size) synced_ = size;
  }
  // Removes the file name; inode and mappings live until the last reference. Later shrinks are skipped.
  Status Unlink();
  size_t liveViews() const;

 private:
  MappedFile() = default;
  Status ZeroRange(size_t from, size_t to);

  std::string path_;
  int fd_ = -1;
  std::shared_ptr<Region> region_;
  std::shared_ptr<InodeViews> inode_;
  size_t capacity_ = 0;
  size_t allocated_ = 0;
  size_t growthStep_ = 0;
  size_t synced_ = 0;
  uint64_t truncations_ = 0;
};

}  // namespace strata
