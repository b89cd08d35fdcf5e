#include "mapped_file.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace strata {

Status Status::Sys(int err, std::string syscall, std::string path) {
  Status s;
  s.ok = false;
  s.sysErrno = err;
  const char* name = nullptr;
  switch (err) {
    case ENOSPC: name = "ENOSPC"; break;
    case ENOENT: name = "ENOENT"; break;
    case EEXIST: name = "EEXIST"; break;
    case EACCES: name = "EACCES"; break;
    case EPERM: name = "EPERM"; break;
    case EIO: name = "EIO"; break;
    case EDQUOT: name = "EDQUOT"; break;
    case EFBIG: name = "EFBIG"; break;
    case ENOMEM: name = "ENOMEM"; break;
    case EMFILE: name = "EMFILE"; break;
    case EROFS: name = "EROFS"; break;
    case EINVAL: name = "EINVAL"; break;
    case EISDIR: name = "EISDIR"; break;
    default: name = "EIO_OTHER"; break;
  }
  s.code = name;
  s.syscall = std::move(syscall);
  s.path = std::move(path);
  s.message = std::string(name) + ": " + std::strerror(err) + ", " + s.syscall + " '" + s.path + "'";
  return s;
}

Status MappedFile::Open(const std::string& path, Mode mode, size_t capacity, size_t growthStep,
                        std::shared_ptr<MappedFile>* out) {
  int flags = O_RDWR | O_CLOEXEC;
  if (mode == Mode::kCreate) flags |= O_CREAT | O_EXCL;
  if (mode == Mode::kOpenOrCreate) flags |= O_CREAT;
  int fd = ::open(path.c_str(), flags, 0644);
  if (fd < 0) return Status::Sys(errno, "open", path);
  struct stat st;
  if (::fstat(fd, &st) != 0) {
    int err = errno;
    ::close(fd);
    return Status::Sys(err, "fstat", path);
  }
  size_t fileSize = static_cast<size_t>(st.st_size);
  if (capacity < fileSize) capacity = fileSize;
  uint8_t* base = nullptr;
  if (capacity > 0) {
    void* p = ::mmap(nullptr, capacity, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (p == MAP_FAILED) {
      int err = errno;
      ::close(fd);
      return Status::Sys(err, "mmap", path);
    }
    base = static_cast<uint8_t*>(p);
  }
  std::shared_ptr<MappedFile> f(new MappedFile());
  f->path_ = path;
  f->fd_ = fd;
  f->base_ = base;
  f->capacity_ = capacity;
  f->allocated_ = fileSize;
  f->growthStep_ = growthStep;
  *out = std::move(f);
  return Status::Ok();
}

MappedFile::~MappedFile() {
  if (base_ != nullptr) ::munmap(base_, capacity_);
  if (truncatePending_ && !unlinked_ && fd_ >= 0) {
    // Last view gone: the deferred shrink is safe now. Nothing to report it to; a failure leaves a longer
    // file, which recovery reads as a zero tail and cuts.
    (void)!::ftruncate(fd_, static_cast<off_t>(truncateTo_));
  }
  if (fd_ >= 0) ::close(fd_);
}

Status MappedFile::Reserve(size_t end) {
  if (end <= allocated_) return Status::Ok();
  // Growing again supersedes a shrink still waiting for views to go: the writer is about to reuse that range.
  truncatePending_ = false;
  if (end > capacity_) {
    return Status::Error("ERR_OUT_OF_CAPACITY", "reserve past the mapping's capacity", path_);
  }
  size_t target = allocated_ + growthStep_;
  if (target < end) target = end;
  if (target > capacity_) target = capacity_;
  // Allocate exactly what is needed first if the generous step does not fit on disk.
  int rc = ::posix_fallocate(fd_, static_cast<off_t>(allocated_), static_cast<off_t>(target - allocated_));
  if (rc == ENOSPC && target > end) {
    target = end;
    rc = ::posix_fallocate(fd_, static_cast<off_t>(allocated_), static_cast<off_t>(target - allocated_));
  }
  if (rc != 0) {
    // fallocate may have extended the file partly; give those blocks back so the file keeps its old size.
    (void)!::ftruncate(fd_, static_cast<off_t>(allocated_));
    return Status::Sys(rc, "fallocate", path_);
  }
  allocated_ = target;
  return Status::Ok();
}

Status MappedFile::ApplyTruncate(size_t size) {
  if (::ftruncate(fd_, static_cast<off_t>(size)) != 0) return Status::Sys(errno, "ftruncate", path_);
  allocated_ = size;
  truncatePending_ = false;
  return Status::Ok();
}

Status MappedFile::TruncateFile(size_t size, size_t poisonBytes) {
  if (unlinked_) return Status::Ok();
  if (size > capacity_) return Status::Error("ERR_OUT_OF_CAPACITY", "truncate past the mapping's capacity", path_);
  if (liveViews_ > 0 && viewEndMax_ > size) {
    // A JS Buffer still views bytes past `size`: shrinking now would turn its pages into SIGBUS.
    if (size < allocated_) {
      size_t poisonEnd = size + poisonBytes < allocated_ ? size + poisonBytes : allocated_;
      std::memset(base_ + size, 0, poisonEnd - size);
    }
    truncatePending_ = true;
    truncateTo_ = size;
    if (allocated_ > size) allocated_ = size;  // the writer must treat the tail as gone and re-reserve it
    return Status::Ok();
  }
  return ApplyTruncate(size);
}

Status MappedFile::Sync() const {
  if (fd_ >= 0 && ::fdatasync(fd_) != 0) return Status::Sys(errno, "fdatasync", path_);
  return Status::Ok();
}

Status MappedFile::Unlink() {
  if (unlinked_) return Status::Ok();
  if (::unlink(path_.c_str()) != 0 && errno != ENOENT) return Status::Sys(errno, "unlink", path_);
  unlinked_ = true;
  truncatePending_ = false;
  return Status::Ok();
}

void MappedFile::ViewAcquired(size_t end) {
  liveViews_++;
  if (end > viewEndMax_) viewEndMax_ = end;
}

void MappedFile::ViewReleased() {
  if (liveViews_ > 0) liveViews_--;
  if (liveViews_ == 0) {
    viewEndMax_ = 0;
    if (truncatePending_ && !unlinked_) (void)ApplyTruncate(truncateTo_);
  }
}

}  // namespace strata
