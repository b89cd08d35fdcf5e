#include "mapped_file.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstring>
#include <map>
#include <mutex>
#include <utility>
#include <vector>

namespace strata {

struct InodeViews {
  std::mutex mu;
  int fd = -1;  // own descriptor (dup), so a deferred shrink can run after every owner closed the file
  size_t live = 0;
  size_t endMax = 0;  // max end of live views; conservative (reset only when none is live)
  bool pending = false;
  size_t truncateTo = 0;
  bool unlinked = false;
  ~InodeViews() {
    if (pending && !unlinked && fd >= 0) (void)!::ftruncate(fd, static_cast<off_t>(truncateTo));
    if (fd >= 0) ::close(fd);
  }
};

namespace {

std::mutex registryMu;
std::map<std::pair<dev_t, ino_t>, std::weak_ptr<InodeViews>>& registry() {
  static auto* r = new std::map<std::pair<dev_t, ino_t>, std::weak_ptr<InodeViews>>();
  return *r;
}

Status InodeFor(int fd, const struct stat& st, const std::string& path, std::shared_ptr<InodeViews>* out) {
  std::lock_guard<std::mutex> lock(registryMu);
  auto key = std::make_pair(st.st_dev, st.st_ino);
  auto& slot = registry()[key];
  std::shared_ptr<InodeViews> inode = slot.lock();
  if (!inode || inode->unlinked) {
    // Expired entries are replaced here rather than swept; the map holds one small entry per file ever opened.
    inode = std::make_shared<InodeViews>();
    inode->fd = ::fcntl(fd, F_DUPFD_CLOEXEC, 0);
    if (inode->fd < 0) return Status::Sys(errno, "dup", path);
    slot = inode;
  }
  *out = std::move(inode);
  return Status::Ok();
}

}  // namespace

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

Region::~Region() {
  if (base_ != nullptr && length_ > 0) ::munmap(base_, length_);
}

void Region::AcquireView(size_t end) {
  std::lock_guard<std::mutex> lock(inode_->mu);
  inode_->live++;
  if (end > inode_->endMax) inode_->endMax = end;
}

void Region::ReleaseView() {
  std::lock_guard<std::mutex> lock(inode_->mu);
  if (inode_->live > 0) inode_->live--;
  if (inode_->live == 0) {
    inode_->endMax = 0;
    if (inode_->pending && !inode_->unlinked) {
      // Last view gone: the deferred shrink is safe now. Nobody to report a failure to; a longer file is read by
      // recovery as a zero tail and cut.
      (void)!::ftruncate(inode_->fd, static_cast<off_t>(inode_->truncateTo));
      inode_->pending = false;
    }
  }
}

size_t Region::liveViews() const {
  std::lock_guard<std::mutex> lock(inode_->mu);
  return inode_->live;
}

static Status MapRegion(int fd, size_t capacity, const std::string& path, const std::shared_ptr<InodeViews>& inode,
                        std::shared_ptr<Region>* out) {
  uint8_t* base = nullptr;
  if (capacity > 0) {
    void* p = ::mmap(nullptr, capacity, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (p == MAP_FAILED) return Status::Sys(errno, "mmap", path);
    base = static_cast<uint8_t*>(p);
  }
  *out = std::make_shared<Region>(base, capacity, inode);
  return Status::Ok();
}

Status MappedFile::Open(const std::string& path, Mode mode, size_t capacity, size_t growthStep,
                        std::shared_ptr<MappedFile>* out) {
  int flags = O_RDWR | O_CLOEXEC;
  if (mode == Mode::kCreate) flags |= O_CREAT | O_EXCL;
  if (mode == Mode::kOpenOrCreate) flags |= O_CREAT;
  int fd = ::open(path.c_str(), flags, 0644);
  if (fd < 0) return Status::Sys(errno, "open", path);
  std::shared_ptr<MappedFile> f(new MappedFile());
  f->path_ = path;
  f->fd_ = fd;  // closed by the destructor from here on
  f->growthStep_ = growthStep;
  struct stat st;
  if (::fstat(fd, &st) != 0) return Status::Sys(errno, "fstat", path);
  Status s = InodeFor(fd, st, path, &f->inode_);
  if (!s.ok) return s;
  size_t fileSize = static_cast<size_t>(st.st_size);
  if (capacity < fileSize) capacity = fileSize;
  s = MapRegion(fd, capacity, path, f->inode_, &f->region_);
  if (!s.ok) return s;
  f->capacity_ = capacity;
  f->allocated_ = fileSize;
  *out = std::move(f);
  return Status::Ok();
}

MappedFile::~MappedFile() {
  if (fd_ >= 0) ::close(fd_);
}

Status MappedFile::Remap(size_t capacity) {
  if (capacity <= capacity_) return Status::Ok();
  std::shared_ptr<Region> region;
  Status s = MapRegion(fd_, capacity, path_, inode_, &region);
  if (!s.ok) return s;
  region_ = std::move(region);  // the old Region is unmapped once no view holds it
  capacity_ = capacity;
  return Status::Ok();
}

Status MappedFile::Reserve(size_t end) {
  if (end <= allocated_) return Status::Ok();
  if (end > capacity_) return Status::Error("ERR_OUT_OF_CAPACITY", "reserve past the mapping's capacity", path_);
  {
    // Growing again supersedes a shrink still waiting for views to go: the writer is about to reuse that range.
    std::lock_guard<std::mutex> lock(inode_->mu);
    inode_->pending = false;
  }
  size_t target = allocated_ + growthStep_;
  if (target < end) target = end;
  if (target > capacity_) target = capacity_;
  int rc = ::posix_fallocate(fd_, static_cast<off_t>(allocated_), static_cast<off_t>(target - allocated_));
  if (rc == ENOSPC && target > end) {
    // The generous step does not fit on disk: try exactly what is needed.
    target = end;
    rc = ::posix_fallocate(fd_, static_cast<off_t>(allocated_), static_cast<off_t>(target - allocated_));
  }
  if (rc != 0) {
    // fallocate may have extended the file partly. It stays so: a longer file reads as a zero tail, while
    // shrinking here could cut under a live view of bytes a truncation left past allocated_.
    return Status::Sys(rc, "fallocate", path_);
  }
  allocated_ = target;
  return Status::Ok();
}

Status MappedFile::Write(size_t position, const uint8_t* data, size_t len) {
  if (position + len > allocated_) return Status::Error("ERR_OUT_OF_CAPACITY", "write past the allocated range", path_);
  while (len > 0) {
    ssize_t n = ::pwrite(fd_, data, len, static_cast<off_t>(position));
    if (n < 0) {
      if (errno == EINTR) continue;
      return Status::Sys(errno, "pwrite", path_);
    }
    data += n;
    position += static_cast<size_t>(n);
    len -= static_cast<size_t>(n);
  }
  return Status::Ok();
}

Status MappedFile::WriteV(size_t position, const struct iovec* pieces, int count) {
  size_t len = 0;
  for (int i = 0; i < count; i++) len += pieces[i].iov_len;
  if (position + len > allocated_) return Status::Error("ERR_OUT_OF_CAPACITY", "write past the allocated range", path_);
  std::vector<struct iovec> rest(pieces, pieces + count);
  size_t first = 0;
  while (first < rest.size()) {
    int n = static_cast<int>(std::min<size_t>(rest.size() - first, IOV_MAX));
    ssize_t written = ::pwritev(fd_, rest.data() + first, n, static_cast<off_t>(position));
    if (written < 0) {
      if (errno == EINTR) continue;
      return Status::Sys(errno, "pwritev", path_);
    }
    position += static_cast<size_t>(written);
    // A short write: skip the pieces written whole, trim the one written in part.
    size_t left = static_cast<size_t>(written);
    while (first < rest.size() && left >= rest[first].iov_len) left -= rest[first++].iov_len;
    if (first < rest.size() && left > 0) {
      rest[first].iov_base = static_cast<uint8_t*>(rest[first].iov_base) + left;
      rest[first].iov_len -= left;
    }
  }
  return Status::Ok();
}

Status MappedFile::ZeroRange(size_t from, size_t to) {
  if (to <= from) return Status::Ok();
  if (::fallocate(fd_, FALLOC_FL_ZERO_RANGE | FALLOC_FL_KEEP_SIZE, static_cast<off_t>(from),
                  static_cast<off_t>(to - from)) == 0) {
    return Status::Ok();
  }
  static const uint8_t zeros[64 * 1024] = {};
  for (size_t p = from; p < to;) {
    size_t n = std::min(sizeof zeros, to - p);
    Status st = Write(p, zeros, n);
    if (!st.ok) return st;
    p += n;
  }
  return Status::Ok();
}

Status MappedFile::TruncateFile(size_t size, bool zeroTail) {
  std::lock_guard<std::mutex> lock(inode_->mu);
  if (inode_->unlinked) return Status::Ok();
  if (size > capacity_) return Status::Error("ERR_OUT_OF_CAPACITY", "truncate past the mapping's capacity", path_);
  if (inode_->live > 0 && inode_->endMax > size) {
    // A JS Buffer still views bytes past `size`: shrinking now would turn its pages into SIGBUS.
    if (zeroTail && size < allocated_) {
      Status st = ZeroRange(size, allocated_);
      if (!st.ok) return st;
    }
    inode_->pending = true;
    inode_->truncateTo = size;
    if (allocated_ > size) allocated_ = size;  // the writer treats the tail as gone and reserves it again
    return Status::Ok();
  }
  if (::ftruncate(fd_, static_cast<off_t>(size)) != 0) return Status::Sys(errno, "ftruncate", path_);
  inode_->pending = false;
  allocated_ = size;
  return Status::Ok();
}

Status MappedFile::Sync() const {
  if (fd_ >= 0 && ::fdatasync(fd_) != 0) return Status::Sys(errno, "fdatasync", path_);
  return Status::Ok();
}

Status MappedFile::Unlink() {
  std::lock_guard<std::mutex> lock(inode_->mu);
  if (inode_->unlinked) return Status::Ok();
  if (::unlink(path_.c_str()) != 0 && errno != ENOENT) return Status::Sys(errno, "unlink", path_);
  inode_->unlinked = true;
  inode_->pending = false;
  return Status::Ok();
}

size_t MappedFile::liveViews() const {
  std::lock_guard<std::mutex> lock(inode_->mu);
  return inode_->live;
}

}  // namespace strata
