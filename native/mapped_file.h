// MappedFile: one file, memory-mapped MAP_SHARED read/write over a fixed virtual `capacity`, with its disk
// blocks allocated (posix_fallocate) ahead of the writer in steps, so that stores into the mapping never hit a
// hole (slow first touch) or an unallocated block (SIGBUS on a full disk): ENOSPC surfaces from Reserve(), before
// any byte is copied.
//
// Lifetime: shared_ptr-owned. The owning Segment holds one reference; every zero-copy Buffer handed to JS holds
// another (its finalizer drops it). munmap and close happen when the last reference goes, so no JS value ever
// points at unmapped memory.
//
// Invariants:
//  - bytes in [0, allocated()) are backed by the file; nothing may touch [allocated(), capacity()).
//  - the file is never shrunk below the end of a live view (ViewAcquired/ViewReleased track them): a shrink
//    requested while a view reaches past the new size is deferred until the last view is released.
//  - single-threaded except Sync(), which may run on a libuv worker while the JS thread writes; the worker holds
//    its own reference, so the mapping and descriptor outlive it.
#pragma once
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "status.h"

namespace strata {

class MappedFile {
 public:
  enum class Mode { kCreate, kOpenExisting, kOpenOrCreate };

  // capacity: virtual length of the mapping; at least the current file size (it is raised to it if smaller).
  // growthStep: how far beyond a request Reserve() allocates, to amortise fallocate calls.
  static Status Open(const std::string& path, Mode mode, size_t capacity, size_t growthStep,
                     std::shared_ptr<MappedFile>* out);
  ~MappedFile();
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;

  uint8_t* data() const { return base_; }
  size_t capacity() const { return capacity_; }
  size_t allocated() const { return allocated_; }
  const std::string& path() const { return path_; }

  // Ensures [0, end) is allocated on disk. end <= capacity().
  Status Reserve(size_t end);
  // Shrinks (or grows) the file to `size` now if no live view reaches past it, otherwise when the last view goes;
  // a deferred shrink first zeroes `poisonBytes` at `size`, so a scan of the still-long file stops there.
  Status TruncateFile(size_t size, size_t poisonBytes = 0);
  // fdatasync: on Linux this also writes back pages dirtied through the shared mapping (tracked by page_mkwrite).
  Status Sync() const;
  // Removes the file name; the inode and mapping live until the last reference. Later shrinks are skipped.
  Status Unlink();
  bool unlinked() const { return unlinked_; }

  void ViewAcquired(size_t end);
  void ViewReleased();
  size_t liveViews() const { return liveViews_; }

 private:
  MappedFile() = default;
  Status ApplyTruncate(size_t size);

  std::string path_;
  int fd_ = -1;
  uint8_t* base_ = nullptr;
  size_t capacity_ = 0;
  size_t allocated_ = 0;
  size_t growthStep_ = 0;
  bool unlinked_ = false;
  size_t liveViews_ = 0;
  size_t viewEndMax_ = 0;      // max end of any live view (conservative: reset only when none is live)
  bool truncatePending_ = false;
  size_t truncateTo_ = 0;
};

}  // namespace strata
