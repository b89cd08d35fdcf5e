// Segment: one log segment of a partition, as Kafka lays it out on disk.
//
// Files (named by the 20-digit base offset):
//   <base>.log        record batches v2, back to back, exactly as produced (baseOffset patched by the Log).
//   <base>.index      8-byte entries: relative offset u32 BE (lastOffset of a batch - base), position u32 BE of
//                     that batch; one entry each time more than index.interval.bytes were appended since the last.
//   <base>.timeindex  12-byte entries: max timestamp so far i64 BE, relative offset u32 BE of the batch that
//                     holds it; appended with each offset-index entry when the max timestamp grew.
// Index files are mapped at segment.index.bytes and trimmed to their entries on Seal/Close (once no view of the
// file reaches past them: until then the bytes past the entries are zeros, which a clean open drops); neither has
// a checksum, and both are rebuilt from the log when they do not pass the sanity check or after a crash.
//
// Invariants:
//  - [0, size) holds whole, structurally valid batches with strictly increasing offsets; nextOffset is the last
//    batch's lastOffset + 1 (baseOffset when empty); every relative offset fits in int32.
//  - index positions and relative offsets increase strictly; every entry points at a batch start below size.
//  - nothing here checks CRCs on append (the Log did); Open in recover mode checks every CRC.
// Threading: JS thread only, except that Flush() may be run by a worker holding its own file references.
#pragma once
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "mapped_file.h"
#include "status.h"

namespace strata {

namespace batch {
constexpr size_t kBaseOffset = 0;
constexpr size_t kLength = 8;
constexpr size_t kLeaderEpoch = 12;
constexpr size_t kMagic = 16;
constexpr size_t kCrc = 17;
constexpr size_t kAttributes = 21;
constexpr size_t kLastOffsetDelta = 23;
constexpr size_t kBaseTimestamp = 27;
constexpr size_t kMaxTimestamp = 35;
constexpr size_t kHeaderSize = 61;
constexpr size_t kLogOverhead = 12;  // baseOffset + batchLength
}  // namespace batch

struct SegmentOptions {
  std::string logPath;
  std::string indexPath;
  std::string timeIndexPath;
  int64_t baseOffset = 0;
  size_t logCapacity = 0;     // virtual size of the log mapping; 0 for a segment that will only be read
  size_t indexCapacity = 0;   // segment.index.bytes
  uint32_t indexIntervalBytes = 4096;
};

enum class OpenMode {
  kCreate,   // new, empty segment; the .log must not exist
  kClean,    // written by a clean Close: trust file sizes, sanity-check the indexes, rebuild them if needed
  kRecover,  // after an unclean stop: check every batch (bounds, magic, offsets, CRC), cut at the first bad byte
};

struct RecoveryReport {
  size_t validBytes = 0;
  // Bytes cut from the first bad byte to the last non-zero one: a torn or corrupt batch (Kafka then drops the
  // segments after this one). Zero when the cut is zeros only.
  size_t truncatedBytes = 0;
  // Zeros cut after the last batch (or after the bad bytes): space allocated ahead of the writer (or zeroed by a
  // truncation) that a crash left before the file was trimmed. Not corruption by itself.
  size_t zeroTailBytes = 0;
  bool indexRebuilt = false;
};

class Segment {
 public:
  static Status Open(const SegmentOptions& options, OpenMode mode, std::unique_ptr<Segment>* out,
                     RecoveryReport* report);

  // Copies one or more whole batches at the end, after structural checks, and indexes them. Nothing is written
  // unless everything fits: ERR_SEGMENT_FULL (capacity or index slots), ENOSPC, CORRUPT_MESSAGE.
  Status Append(const uint8_t* data, size_t len, size_t* position);
  // The same for several buffers of whole batches written back to back in one pwritev (requests appended together).
  Status AppendPieces(const struct iovec* pieces, int count, size_t* position);
  // Byte length of the whole batches starting at `position` that fit in maxBytes (the first one even if larger
  // when minOneBatch). `position` must be a batch start.
  Status ReadLength(size_t position, size_t maxBytes, bool minOneBatch, size_t* length) const;
  // Position of the first batch whose lastOffset >= offset; size() when there is none.
  size_t FindOffsetPosition(int64_t offset) const;
  // Position of the first batch whose maxTimestamp >= timestamp; size() when there is none.
  size_t FindTimestampPosition(int64_t timestamp) const;
  // Floor entry of the offset index: the entry with the largest offset <= offset. False when there is none.
  bool IndexFloor(int64_t offset, int64_t* entryOffset, size_t* entryPosition) const;
  bool TimeIndexFloor(int64_t timestamp, int64_t* entryTimestamp, int64_t* entryOffset) const;
  // Removes every batch holding an offset >= offset (a batch that straddles it goes whole).
  Status TruncateTo(int64_t offset, size_t* removedBytes);
  // No more appends: trims the files to their contents (the log's shrink waits for views past its end).
  Status Seal();
  // Appends allowed again, up to logCapacity bytes (a truncated old segment becoming the active one).
  Status Unseal(size_t logCapacity, size_t indexCapacity);
  Status Sync() const;
  Status Close();
  Status Delete();

  bool closed() const { return closed_; }
  bool sealed() const { return sealed_; }
  int64_t baseOffset() const { return baseOffset_; }
  int64_t nextOffset() const { return nextOffset_; }
  size_t size() const { return size_; }
  size_t logCapacity() const { return log_ ? log_->capacity() : 0; }
  int64_t maxTimestamp() const { return maxTimestamp_; }
  int64_t offsetOfMaxTimestamp() const { return offsetOfMaxTimestamp_; }
  int64_t firstBatchTimestamp() const { return firstBatchTimestamp_; }
  uint32_t indexEntries() const { return indexEntries_; }
  uint32_t timeIndexEntries() const { return timeIndexEntries_; }
  uint32_t indexSlotsLeft() const;
  const std::shared_ptr<MappedFile>& logFile() const { return log_; }
  const std::shared_ptr<MappedFile>& indexFile() const { return index_; }
  const std::shared_ptr<MappedFile>& timeIndexFile() const { return timeIndex_; }

 private:
  Segment() = default;
  enum class Walk { kStructure, kCrc };
  // Walks batches in [from, end), updating nextOffset/maxTimestamp (and the indexes when `index`); returns the
  // position of the first batch that fails the checks, or end.
  size_t WalkBatches(size_t from, size_t end, Walk check, bool index);
  void OnBatch(size_t position, size_t batchSize, int64_t lastOffset, int64_t maxTimestamp, bool index);
  void RecomputeTail();
  // Clean open: a zero tail of an index file is not entries but what a trim deferred by a live view of the file
  // (an index lookup in JS holding the mapping; MappedFile::TruncateFile) leaves when the process stops first; with
  // allocation in 64 KiB steps it need not end on an entry boundary. Drops trailing all-zero entries (no
  // offset-index entry is zeros: the batch at position 0 is never indexed; a time-index entry of zeros can only be
  // a first entry, whose loss fails IndexesSane and costs a rebuild, never a wrong answer) and sets *dropped when
  // there was a tail. False when the bytes past the last whole entry are not zeros (a damaged file).
  bool DropZeroIndexTails(bool* dropped);
  bool IndexesSane() const;
  Status RebuildIndexes();
  Status PrepareIndexesForWrite();

  uint32_t IndexRelativeOffset(uint32_t i) const;
  uint32_t IndexPosition(uint32_t i) const;
  int64_t TimeIndexTimestamp(uint32_t i) const;
  uint32_t TimeIndexRelativeOffset(uint32_t i) const;

  std::shared_ptr<MappedFile> log_, index_, timeIndex_;
  int64_t baseOffset_ = 0;
  int64_t nextOffset_ = 0;
  size_t size_ = 0;
  uint32_t indexIntervalBytes_ = 4096;
  uint32_t indexEntries_ = 0;
  uint32_t timeIndexEntries_ = 0;
  size_t bytesSinceLastIndexEntry_ = 0;
  int64_t maxTimestamp_ = -1;
  int64_t offsetOfMaxTimestamp_ = -1;
  int64_t firstBatchTimestamp_ = -1;
  bool sealed_ = false;
  bool closed_ = false;
};

}  // namespace strata
