#include "segment.h"

#include <climits>
#include <cstring>

#include "crc32c.h"

namespace strata {
namespace {

constexpr size_t kIndexEntry = 8;
constexpr size_t kTimeIndexEntry = 12;
constexpr size_t kLogGrowthStep = 8u << 20;     // fallocate ahead of the writer in 8 MiB steps
constexpr size_t kIndexGrowthStep = 64u << 10;  // index files grow 64 KiB at a time
constexpr int64_t kMaxRelativeOffset = INT32_MAX;

inline uint32_t be32(const uint8_t* p) {
  return (uint32_t(p[0]) << 24) | (uint32_t(p[1]) << 16) | (uint32_t(p[2]) << 8) | uint32_t(p[3]);
}
inline int64_t be64(const uint8_t* p) {
  return static_cast<int64_t>((uint64_t(be32(p)) << 32) | be32(p + 4));
}
inline void put32(uint8_t* p, uint32_t v) {
  p[0] = uint8_t(v >> 24);
  p[1] = uint8_t(v >> 16);
  p[2] = uint8_t(v >> 8);
  p[3] = uint8_t(v);
}
inline void put64(uint8_t* p, int64_t v) {
  put32(p, uint32_t(uint64_t(v) >> 32));
  put32(p + 4, uint32_t(uint64_t(v)));
}

// Structural view of the batch header at p, which has `avail` readable bytes. False when it cannot be a batch.
struct BatchInfo {
  size_t size;
  int64_t baseOffset;
  int64_t lastOffset;
  int64_t maxTimestamp;
};
inline bool readBatch(const uint8_t* p, size_t avail, BatchInfo* out) {
  if (avail < batch::kHeaderSize) return false;
  int32_t length = static_cast<int32_t>(be32(p + batch::kLength));
  if (length < static_cast<int32_t>(batch::kHeaderSize - batch::kLogOverhead)) return false;
  size_t size = batch::kLogOverhead + static_cast<size_t>(length);
  if (size > avail) return false;
  if (p[batch::kMagic] != 2) return false;
  int32_t lastDelta = static_cast<int32_t>(be32(p + batch::kLastOffsetDelta));
  if (lastDelta < 0) return false;
  out->size = size;
  out->baseOffset = be64(p + batch::kBaseOffset);
  out->lastOffset = out->baseOffset + lastDelta;
  out->maxTimestamp = be64(p + batch::kMaxTimestamp);
  return true;
}

inline bool crcMatches(const uint8_t* p, size_t size) {
  return Crc32c(0, p + batch::kAttributes, size - batch::kAttributes) == be32(p + batch::kCrc);
}

}  // namespace

uint32_t Segment::IndexRelativeOffset(uint32_t i) const { return be32(index_->data() + i * kIndexEntry); }
uint32_t Segment::IndexPosition(uint32_t i) const { return be32(index_->data() + i * kIndexEntry + 4); }
int64_t Segment::TimeIndexTimestamp(uint32_t i) const { return be64(timeIndex_->data() + i * kTimeIndexEntry); }
uint32_t Segment::TimeIndexRelativeOffset(uint32_t i) const {
  return be32(timeIndex_->data() + i * kTimeIndexEntry + 8);
}

Status Segment::Open(const SegmentOptions& o, OpenMode mode, std::unique_ptr<Segment>* out, RecoveryReport* report) {
  std::unique_ptr<Segment> s(new Segment());
  s->baseOffset_ = o.baseOffset;
  s->nextOffset_ = o.baseOffset;
  s->indexIntervalBytes_ = o.indexIntervalBytes;
  Status st = MappedFile::Open(o.logPath, mode == OpenMode::kCreate ? MappedFile::Mode::kCreate
                                                                     : MappedFile::Mode::kOpenExisting,
                               o.logCapacity, kLogGrowthStep, &s->log_);
  if (!st.ok) return st;
  st = MappedFile::Open(o.indexPath, MappedFile::Mode::kOpenOrCreate, o.indexCapacity, kIndexGrowthStep, &s->index_);
  if (!st.ok) return st;
  st = MappedFile::Open(o.timeIndexPath, MappedFile::Mode::kOpenOrCreate, o.indexCapacity, kIndexGrowthStep,
                        &s->timeIndex_);
  if (!st.ok) return st;

  RecoveryReport r;
  if (mode == OpenMode::kCreate) {
    // Stale index files of a segment that never got its log: start them empty.
    if (!(st = s->index_->TruncateFile(0)).ok) return st;
    if (!(st = s->timeIndex_->TruncateFile(0)).ok) return st;
  } else if (mode == OpenMode::kClean) {
    s->size_ = s->log_->allocated();
    s->indexEntries_ = static_cast<uint32_t>(s->index_->allocated() / kIndexEntry);
    s->timeIndexEntries_ = static_cast<uint32_t>(s->timeIndex_->allocated() / kTimeIndexEntry);
    bool zeroTail = false;
    if (!s->DropZeroIndexTails(&zeroTail) || !s->IndexesSane()) {
      if (!(st = s->RebuildIndexes()).ok) return st;
      r.indexRebuilt = true;
    } else if (zeroTail) {
      if (!(st = s->index_->TruncateFile(s->indexEntries_ * kIndexEntry)).ok) return st;
      if (!(st = s->timeIndex_->TruncateFile(s->timeIndexEntries_ * kTimeIndexEntry)).ok) return st;
    }
    s->RecomputeTail();
    r.validBytes = s->size_;
  } else {
    size_t fileSize = s->log_->allocated();
    s->indexEntries_ = 0;
    s->timeIndexEntries_ = 0;
    if (!(st = s->PrepareIndexesForWrite()).ok) return st;
    size_t good = s->WalkBatches(0, fileSize, Walk::kCrc, true);
    s->size_ = good;
    r.validBytes = good;
    // The cut splits into the bad bytes (up to the last non-zero one) and the allocated zeros after them.
    size_t dirtyEnd = fileSize;
    while (dirtyEnd > good && s->log_->data()[dirtyEnd - 1] == 0) dirtyEnd--;
    r.truncatedBytes = dirtyEnd - good;
    r.zeroTailBytes = fileSize - dirtyEnd;
    r.indexRebuilt = true;
    if (good < fileSize) {
      // Views from an earlier open of this file in this process may still live: then the cut waits for them
      // and the tail is zeroed meanwhile.
      if (!(st = s->log_->TruncateFile(good, /*zeroTail=*/true)).ok) return st;
    }
    if (!(st = s->index_->TruncateFile(s->indexEntries_ * kIndexEntry, /*zeroTail=*/true)).ok) return st;
    if (!(st = s->timeIndex_->TruncateFile(s->timeIndexEntries_ * kTimeIndexEntry, /*zeroTail=*/true)).ok) return st;
    s->RecomputeTail();
  }
  // Mapped at its file size only: a read-only (sealed) segment until Unseal().
  if (mode != OpenMode::kCreate && o.logCapacity == 0) s->sealed_ = true;
  if (report) *report = r;
  *out = std::move(s);
  return Status::Ok();
}

namespace {
bool AllZero(const uint8_t* p, size_t n) {
  for (size_t i = 0; i < n; i++) {
    if (p[i] != 0) return false;
  }
  return true;
}
}  // namespace

bool Segment::DropZeroIndexTails(bool* dropped) {
  size_t indexRest = index_->allocated() % kIndexEntry;
  size_t timeRest = timeIndex_->allocated() % kTimeIndexEntry;
  if (!AllZero(index_->data() + indexEntries_ * kIndexEntry, indexRest) ||
      !AllZero(timeIndex_->data() + timeIndexEntries_ * kTimeIndexEntry, timeRest)) {
    return false;
  }
  uint32_t entries = indexEntries_, timeEntries = timeIndexEntries_;
  while (indexEntries_ > 0 && AllZero(index_->data() + (indexEntries_ - 1) * kIndexEntry, kIndexEntry)) {
    indexEntries_--;
  }
  while (timeIndexEntries_ > 0 &&
         AllZero(timeIndex_->data() + (timeIndexEntries_ - 1) * kTimeIndexEntry, kTimeIndexEntry)) {
    timeIndexEntries_--;
  }
  *dropped = indexRest != 0 || timeRest != 0 || entries != indexEntries_ || timeEntries != timeIndexEntries_;
  return true;
}

bool Segment::IndexesSane() const {
  // A missing (recreated empty) index: a log this long must have had entries. Rebuilding is a header walk, so
  // the rare false alarm (one batch larger than the interval) costs little.
  if (indexEntries_ == 0 && size_ > indexIntervalBytes_) return false;
  if (timeIndexEntries_ == 0 && indexEntries_ > 0) return false;
  if (indexEntries_ > 0) {
    uint32_t last = indexEntries_ - 1;
    if (IndexPosition(last) >= size_) return false;
    if (last > 0 && (IndexRelativeOffset(last) <= IndexRelativeOffset(last - 1) ||
                     IndexPosition(last) <= IndexPosition(last - 1)))
      return false;
    // The last entry must point at a batch start holding exactly that last offset.
    BatchInfo b;
    size_t pos = IndexPosition(last);
    if (!readBatch(log_->data() + pos, size_ - pos, &b)) return false;
    if (b.lastOffset - baseOffset_ != IndexRelativeOffset(last)) return false;
  }
  if (timeIndexEntries_ > 0) {
    uint32_t last = timeIndexEntries_ - 1;
    if (last > 0 && TimeIndexTimestamp(last) <= TimeIndexTimestamp(last - 1)) return false;
  }
  return true;
}

Status Segment::PrepareIndexesForWrite() {
  Status st = index_->Reserve(std::min(index_->capacity(), size_t(indexEntries_ + 1) * kIndexEntry));
  if (!st.ok) return st;
  return timeIndex_->Reserve(std::min(timeIndex_->capacity(), size_t(timeIndexEntries_ + 1) * kTimeIndexEntry));
}

Status Segment::RebuildIndexes() {
  indexEntries_ = 0;
  timeIndexEntries_ = 0;
  Status st = PrepareIndexesForWrite();
  if (!st.ok) return st;
  nextOffset_ = baseOffset_;
  maxTimestamp_ = -1;
  offsetOfMaxTimestamp_ = -1;
  bytesSinceLastIndexEntry_ = 0;
  size_t good = WalkBatches(0, size_, Walk::kStructure, true);
  if (good < size_) {
    size_ = good;
    if (!(st = log_->TruncateFile(good, /*zeroTail=*/true)).ok) return st;
  }
  if (!(st = index_->TruncateFile(indexEntries_ * kIndexEntry, /*zeroTail=*/true)).ok) return st;
  return timeIndex_->TruncateFile(timeIndexEntries_ * kTimeIndexEntry, /*zeroTail=*/true);
}

void Segment::OnBatch(size_t position, size_t batchSize, int64_t lastOffset, int64_t maxTimestamp, bool index) {
  if (position == 0) firstBatchTimestamp_ = maxTimestamp;
  if (maxTimestamp > maxTimestamp_) {
    maxTimestamp_ = maxTimestamp;
    offsetOfMaxTimestamp_ = lastOffset;
  }
  if (index && bytesSinceLastIndexEntry_ > indexIntervalBytes_) {
    // Kafka's rule: index the batch that starts after more than index.interval.bytes since the last entry.
    if ((indexEntries_ + 1) * kIndexEntry <= index_->allocated()) {
      uint8_t* e = index_->data() + indexEntries_ * kIndexEntry;
      put32(e, static_cast<uint32_t>(lastOffset - baseOffset_));
      put32(e + 4, static_cast<uint32_t>(position));
      indexEntries_++;
    }
    bool grew = timeIndexEntries_ == 0 || maxTimestamp_ > TimeIndexTimestamp(timeIndexEntries_ - 1);
    if (grew && (timeIndexEntries_ + 1) * kTimeIndexEntry <= timeIndex_->allocated()) {
      uint8_t* e = timeIndex_->data() + timeIndexEntries_ * kTimeIndexEntry;
      put64(e, maxTimestamp_);
      put32(e + 8, static_cast<uint32_t>(offsetOfMaxTimestamp_ - baseOffset_));
      timeIndexEntries_++;
    }
    bytesSinceLastIndexEntry_ = 0;
  }
  bytesSinceLastIndexEntry_ += batchSize;
  nextOffset_ = lastOffset + 1;
}

size_t Segment::WalkBatches(size_t from, size_t end, Walk check, bool index) {
  const uint8_t* base = log_->data();
  size_t pos = from;
  while (pos < end) {
    BatchInfo b;
    if (!readBatch(base + pos, end - pos, &b)) break;
    if (b.baseOffset < nextOffset_ || b.lastOffset - baseOffset_ > kMaxRelativeOffset) break;
    if (check == Walk::kCrc && !crcMatches(base + pos, b.size)) break;
    if (index) {
      // Keep room for the entry this batch may need; a failed reserve only costs an index entry here.
      (void)PrepareIndexesForWrite();
    }
    OnBatch(pos, b.size, b.lastOffset, b.maxTimestamp, index);
    pos += b.size;
  }
  return pos;
}

void Segment::RecomputeTail() {
  nextOffset_ = baseOffset_;
  maxTimestamp_ = -1;
  offsetOfMaxTimestamp_ = -1;
  firstBatchTimestamp_ = -1;
  if (timeIndexEntries_ > 0) {
    maxTimestamp_ = TimeIndexTimestamp(timeIndexEntries_ - 1);
    offsetOfMaxTimestamp_ = baseOffset_ + TimeIndexRelativeOffset(timeIndexEntries_ - 1);
  }
  size_t start = indexEntries_ > 0 ? IndexPosition(indexEntries_ - 1) : 0;
  bytesSinceLastIndexEntry_ = 0;
  size_t end = WalkBatches(start, size_, Walk::kStructure, false);
  if (end < size_) {
    // A clean segment whose tail does not parse: keep what does (the caller saw validBytes).
    size_ = end;
    (void)log_->TruncateFile(end, /*zeroTail=*/true);
  }
  bytesSinceLastIndexEntry_ = size_ - start;
  if (size_ > 0) {
    BatchInfo b;
    if (readBatch(log_->data(), size_, &b)) firstBatchTimestamp_ = b.maxTimestamp;
  }
}

uint32_t Segment::indexSlotsLeft() const {
  if (closed_ || sealed_) return 0;
  size_t a = index_->capacity() / kIndexEntry - indexEntries_;
  size_t b = timeIndex_->capacity() / kTimeIndexEntry - timeIndexEntries_;
  size_t m = a < b ? a : b;
  return m > UINT32_MAX ? UINT32_MAX : static_cast<uint32_t>(m);
}

Status Segment::Append(const uint8_t* data, size_t len, size_t* position) {
  struct iovec piece = {const_cast<uint8_t*>(data), len};
  return AppendPieces(&piece, 1, position);
}

Status Segment::AppendPieces(const struct iovec* pieces, int count, size_t* position) {
  if (closed_) return Status::Error("ERR_SEGMENT_CLOSED", "segment is closed", "");
  if (sealed_) return Status::Error("ERR_SEGMENT_FULL", "segment is sealed", log_->path());
  size_t len = 0;
  for (int i = 0; i < count; i++) {
    if (pieces[i].iov_len == 0) return Status::Error("CORRUPT_MESSAGE", "empty append", log_->path());
    len += pieces[i].iov_len;
  }
  if (len == 0) return Status::Error("CORRUPT_MESSAGE", "empty append", log_->path());
  if (size_ + len > log_->capacity() || size_ + len > UINT32_MAX) {
    return Status::Error("ERR_SEGMENT_FULL", "batch does not fit in the segment", log_->path());
  }
  // Structural pass over the caller's bytes: nothing is written unless every batch is whole and in order.
  uint32_t entriesNeeded = 0;  // what OnBatch will index, by Kafka's interval rule
  size_t sinceEntry = bytesSinceLastIndexEntry_;
  int64_t expectNext = nextOffset_;
  for (int i = 0; i < count; i++) {
    const uint8_t* data = static_cast<const uint8_t*>(pieces[i].iov_base);
    size_t pieceLen = pieces[i].iov_len;
    for (size_t pos = 0; pos < pieceLen;) {
      BatchInfo b;
      if (!readBatch(data + pos, pieceLen - pos, &b)) {
        return Status::Error("CORRUPT_MESSAGE", "malformed record batch at byte " + std::to_string(pos), log_->path());
      }
      if (b.baseOffset < expectNext) {
        return Status::Error("ERR_OFFSET_ORDER", "batch offsets must increase past the segment's end", log_->path());
      }
      if (b.lastOffset - baseOffset_ > kMaxRelativeOffset) {
        return Status::Error("ERR_SEGMENT_FULL", "relative offset would overflow", log_->path());
      }
      expectNext = b.lastOffset + 1;
      if (sinceEntry > indexIntervalBytes_) {
        entriesNeeded++;
        sinceEntry = 0;
      }
      sinceEntry += b.size;
      pos += b.size;
    }
  }
  if (entriesNeeded > indexSlotsLeft()) return Status::Error("ERR_SEGMENT_FULL", "index is full", log_->path());
  Status st = log_->Reserve(size_ + len);
  if (!st.ok) return st;
  st = index_->Reserve(std::min(index_->capacity(), size_t(indexEntries_ + entriesNeeded) * kIndexEntry));
  if (!st.ok) return st;
  st = timeIndex_->Reserve(
      std::min(timeIndex_->capacity(), size_t(timeIndexEntries_ + entriesNeeded) * kTimeIndexEntry));
  if (!st.ok) return st;

  // A failed write leaves size_ where it was: the partial bytes past it are overwritten by the next append, and a
  // recovery scan stops at them (bad CRC).
  st = count == 1 ? log_->Write(size_, static_cast<const uint8_t*>(pieces[0].iov_base), len) : log_->WriteV(size_, pieces, count);
  if (!st.ok) {
    // Some whole batches may have reached the file: a zero header at size_ keeps recovery from reviving them.
    static const uint8_t zeros[batch::kLogOverhead] = {};
    (void)log_->Write(size_, zeros, std::min(sizeof zeros, log_->allocated() - size_));
    return st;
  }
  size_t start = size_;
  size_t at = start;
  for (int i = 0; i < count; i++) {
    const uint8_t* data = static_cast<const uint8_t*>(pieces[i].iov_base);
    size_t pieceLen = pieces[i].iov_len;
    for (size_t pos = 0; pos < pieceLen;) {
      BatchInfo b;
      if (!readBatch(data + pos, pieceLen - pos, &b)) break;  // cannot happen: checked above
      OnBatch(at, b.size, b.lastOffset, b.maxTimestamp, true);
      pos += b.size;
      at += b.size;
    }
  }
  size_ += len;
  *position = start;
  return Status::Ok();
}

Status Segment::ReadLength(size_t position, size_t maxBytes, bool minOneBatch, size_t* length) const {
  if (closed_) return Status::Error("ERR_SEGMENT_CLOSED", "segment is closed", "");
  if (position > size_) {
    return Status::Error("OFFSET_OUT_OF_RANGE", "read position past the segment's end", log_->path());
  }
  const uint8_t* base = log_->data();
  size_t total = 0;
  size_t pos = position;
  while (pos < size_) {
    BatchInfo b;
    if (!readBatch(base + pos, size_ - pos, &b)) {
      return Status::Error("CORRUPT_MESSAGE", "no batch starts at position " + std::to_string(pos), log_->path());
    }
    if (total + b.size > maxBytes) {
      if (total == 0 && minOneBatch) total = b.size;
      break;
    }
    total += b.size;
    pos += b.size;
  }
  *length = total;
  return Status::Ok();
}

bool Segment::IndexFloor(int64_t offset, int64_t* entryOffset, size_t* entryPosition) const {
  if (closed_ || indexEntries_ == 0 || offset < baseOffset_) return false;
  int64_t rel64 = offset - baseOffset_;
  uint32_t rel = rel64 > UINT32_MAX ? UINT32_MAX : static_cast<uint32_t>(rel64);
  if (IndexRelativeOffset(0) > rel) return false;
  uint32_t lo = 0, hi = indexEntries_ - 1;  // invariant: entry lo <= rel
  while (lo < hi) {
    uint32_t mid = lo + (hi - lo + 1) / 2;
    if (IndexRelativeOffset(mid) <= rel) lo = mid; else hi = mid - 1;
  }
  *entryOffset = baseOffset_ + IndexRelativeOffset(lo);
  *entryPosition = IndexPosition(lo);
  return true;
}

bool Segment::TimeIndexFloor(int64_t timestamp, int64_t* entryTimestamp, int64_t* entryOffset) const {
  if (closed_ || timeIndexEntries_ == 0 || TimeIndexTimestamp(0) > timestamp) return false;
  uint32_t lo = 0, hi = timeIndexEntries_ - 1;
  while (lo < hi) {
    uint32_t mid = lo + (hi - lo + 1) / 2;
    if (TimeIndexTimestamp(mid) <= timestamp) lo = mid; else hi = mid - 1;
  }
  *entryTimestamp = TimeIndexTimestamp(lo);
  *entryOffset = baseOffset_ + TimeIndexRelativeOffset(lo);
  return true;
}

size_t Segment::FindOffsetPosition(int64_t offset) const {
  if (closed_ || offset >= nextOffset_) return size_;
  size_t pos = 0;
  int64_t entryOffset;
  size_t entryPosition;
  if (IndexFloor(offset, &entryOffset, &entryPosition)) pos = entryPosition;
  const uint8_t* base = log_->data();
  while (pos < size_) {
    BatchInfo b;
    if (!readBatch(base + pos, size_ - pos, &b)) return size_;
    if (b.lastOffset >= offset) return pos;
    pos += b.size;
  }
  return size_;
}

size_t Segment::FindTimestampPosition(int64_t timestamp) const {
  if (closed_ || size_ == 0 || maxTimestamp_ < timestamp) return size_;
  size_t pos = 0;
  int64_t entryTimestamp, entryOffset, indexOffset;
  size_t indexPosition;
  if (TimeIndexFloor(timestamp, &entryTimestamp, &entryOffset) &&
      IndexFloor(entryOffset, &indexOffset, &indexPosition)) {
    pos = indexPosition;
  }
  const uint8_t* base = log_->data();
  while (pos < size_) {
    BatchInfo b;
    if (!readBatch(base + pos, size_ - pos, &b)) return size_;
    if (b.maxTimestamp >= timestamp) return pos;
    pos += b.size;
  }
  return size_;
}

Status Segment::TruncateTo(int64_t offset, size_t* removedBytes) {
  if (closed_) return Status::Error("ERR_SEGMENT_CLOSED", "segment is closed", "");
  *removedBytes = 0;
  if (offset >= nextOffset_) return Status::Ok();
  size_t pos = offset <= baseOffset_ ? 0 : FindOffsetPosition(offset);
  if (pos >= size_) return Status::Ok();
  int64_t cutBase = baseOffset_;
  BatchInfo b;
  if (readBatch(log_->data() + pos, size_ - pos, &b)) cutBase = b.baseOffset;
  // Physically cut unless a live view still covers the tail; then the removed range is zeroed, so neither a scan
  // of the still-long file (recovery after a crash) nor later appends can revive the removed batches.
  Status st = log_->TruncateFile(pos, /*zeroTail=*/true);
  if (!st.ok) return st;
  log_->NoteTruncated(pos);
  uint32_t entries = indexEntries_, timeEntries = timeIndexEntries_;
  while (indexEntries_ > 0 && IndexPosition(indexEntries_ - 1) >= pos) indexEntries_--;
  while (timeIndexEntries_ > 0 && baseOffset_ + TimeIndexRelativeOffset(timeIndexEntries_ - 1) >= cutBase) {
    timeIndexEntries_--;
  }
  // Dropped entries become zeros, so that past the entries an index file holds only zeros even when its trim is
  // deferred by a live view (see DropZeroIndexTails).
  std::memset(index_->data() + size_t(indexEntries_) * kIndexEntry, 0, size_t(entries - indexEntries_) * kIndexEntry);
  std::memset(timeIndex_->data() + size_t(timeIndexEntries_) * kTimeIndexEntry, 0,
              size_t(timeEntries - timeIndexEntries_) * kTimeIndexEntry);
  *removedBytes = size_ - pos;
  size_ = pos;
  RecomputeTail();
  return Status::Ok();
}

Status Segment::Seal() {
  if (closed_) return Status::Error("ERR_SEGMENT_CLOSED", "segment is closed", "");
  Status st = log_->TruncateFile(size_);
  if (!st.ok) return st;
  if (!(st = index_->TruncateFile(indexEntries_ * kIndexEntry)).ok) return st;
  if (!(st = timeIndex_->TruncateFile(timeIndexEntries_ * kTimeIndexEntry)).ok) return st;
  sealed_ = true;
  return Status::Ok();
}

Status Segment::Unseal(size_t logCapacity, size_t indexCapacity) {
  if (closed_) return Status::Error("ERR_SEGMENT_CLOSED", "segment is closed", "");
  Status st = log_->Remap(logCapacity);
  if (!st.ok) return st;
  if (!(st = index_->Remap(indexCapacity)).ok) return st;
  if (!(st = timeIndex_->Remap(indexCapacity)).ok) return st;
  sealed_ = false;
  return Status::Ok();
}

Status Segment::Sync() const {
  if (closed_) return Status::Error("ERR_SEGMENT_CLOSED", "segment is closed", "");
  Status st = log_->Sync();
  if (!st.ok) return st;
  if (!(st = index_->Sync()).ok) return st;
  return timeIndex_->Sync();
}

Status Segment::Close() {
  if (closed_) return Status::Ok();
  Status st = sealed_ ? Status::Ok() : Seal();
  closed_ = true;
  log_.reset();
  index_.reset();
  timeIndex_.reset();
  return st;
}

Status Segment::Delete() {
  if (closed_) return Status::Error("ERR_SEGMENT_CLOSED", "segment is closed", "");
  Status st = log_->Unlink();
  Status st2 = index_->Unlink();
  Status st3 = timeIndex_->Unlink();
  closed_ = true;
  log_.reset();
  index_.reset();
  timeIndex_.reset();
  if (!st.ok) return st;
  if (!st2.ok) return st2;
  return st3;
}

}  // namespace strata
