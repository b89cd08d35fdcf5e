#include "segment_wrap.h"

#include <vector>

#include <cmath>

#include "storage_error.h"

namespace strata {

// Zero-copy reads hand out slices of a few large ArrayBuffers instead of one external Buffer per read: V8 counts
// each new external ArrayBuffer as memory pressure and collects in proportion, which made 1 MiB fetches GC-bound.
// Chunk k's ArrayBuffer views [k*C, k*C + C + overlap) of the mapping (cut at what is allocated), so a read of up
// to `overlap` bytes starting anywhere in the chunk is one slice of it; larger reads get their own Buffer.
constexpr size_t kViewChunkBytes = 8u << 20;
constexpr size_t kViewChunkOverlapBytes = 2u << 20;

// Slots of lookupState(), exported to JS as Segment.LOOKUP_STATE ({ name: slot }).
enum LookupSlot : size_t {
  kSlotGeneration,  // +1 whenever views handed out earlier should be dropped: truncation, seal, unseal, close, delete
  kSlotClosed,      // 1 once closed or deleted (the other slots then keep their last values)
  kSlotSealed,
  kSlotSize,
  kSlotNextOffset,
  kSlotBaseOffset,
  kSlotMaxTimestamp,
  kSlotIndexEntries,
  kSlotTimeIndexEntries,
  kLookupSlots,
};
constexpr const char* kLookupSlotNames[kLookupSlots] = {
    "generation", "closed", "sealed", "size", "nextOffset", "baseOffset", "maxTimestamp", "indexEntries",
    "timeIndexEntries",
};
constexpr size_t kIndexEntryBytes = 8;
constexpr size_t kTimeIndexEntryBytes = 12;

namespace {

constexpr double kMaxSafeInteger = 9007199254740991.0;

bool ReadInteger(const Napi::Value& v, double min, double max, double* out) {
  if (!v.IsNumber()) return false;
  double d = v.As<Napi::Number>().DoubleValue();
  if (!(d >= min && d <= max) || std::floor(d) != d) return false;
  *out = d;
  return true;
}

// The first argument as a safe integer, or a thrown ERR_INVALID_ARG naming the call.
bool SafeIntegerArg(const Napi::CallbackInfo& info, const char* usage, int64_t* out) {
  double d;
  if (info.Length() < 1 || !ReadInteger(info[0], -kMaxSafeInteger, kMaxSafeInteger, &d)) {
    ThrowArgument(info.Env(), std::string(usage) + ": the argument must be a safe integer");
    return false;
  }
  *out = static_cast<int64_t>(d);
  return true;
}

// [a, b] as a JS array of two numbers.
Napi::Value Pair(Napi::Env env, int64_t a, int64_t b) {
  Napi::Array pair = Napi::Array::New(env, 2);
  pair.Set(uint32_t(0), Napi::Number::New(env, static_cast<double>(a)));
  pair.Set(uint32_t(1), Napi::Number::New(env, static_cast<double>(b)));
  return pair;
}

bool ReadString(const Napi::Object& o, const char* key, std::string* out) {
  Napi::Value v = o.Get(key);
  if (!v.IsString()) return false;
  *out = v.As<Napi::String>().Utf8Value();
  return !out->empty();
}

// Holds a reference to the mapping for as long as a JS Buffer views it.
struct ViewHold {
  std::shared_ptr<Region> region;
};

void ReleaseView(ViewHold* hold) {
  hold->region->ReleaseView();
  delete hold;  // may be the last reference: munmap happens here, after the Buffer is gone
}

// An ArrayBuffer over [start, end) of the mapping that holds the Region (no munmap) and counts as a live view of
// the inode (no shrink below `end`) until V8 collects it. [start, end) must be backed by the file.
bool ExternalView(Napi::Env env, const std::shared_ptr<Region>& region, size_t start, size_t end,
                  Napi::ArrayBuffer* out) {
  ViewHold* hold = new ViewHold{region};
  region->AcquireView(end);
  napi_value ab;
  napi_status status = napi_create_external_arraybuffer(
      env, region->data() + start, end - start,
      [](napi_env, void*, void* hint) { ReleaseView(static_cast<ViewHold*>(hint)); }, hold, &ab);
  if (status != napi_ok) {
    ReleaseView(hold);
    ThrowStatus(env, Status::Error("ERR_NAPI", "napi_create_external_arraybuffer failed"));
    return false;
  }
  *out = Napi::ArrayBuffer(env, ab);
  return true;
}

// fdatasync of the segment's files on the libuv pool. dataOnly syncs the .log alone (what an acknowledgement
// needs: indexes are rebuilt by recovery from the data). Resolves with the log's synced size (bytes).
class FlushWorker : public Napi::AsyncWorker {
 public:
  FlushWorker(Napi::Env env, const Segment& s, bool dataOnly)
      : Napi::AsyncWorker(env, "strata:segment-flush"),
        deferred_(Napi::Promise::Deferred::New(env)),
        log_(s.logFile()),
        index_(dataOnly ? nullptr : s.indexFile()),
        timeIndex_(dataOnly ? nullptr : s.timeIndexFile()),
        size_(s.size()),
        truncations_(s.logFile()->truncations()) {}
  Napi::Promise Promise() { return deferred_.Promise(); }

 protected:
  void Execute() override {
    status_ = log_->Sync();
    if (status_.ok && index_) status_ = index_->Sync();
    if (status_.ok && timeIndex_) status_ = timeIndex_->Sync();
  }
  void OnOK() override {
    Napi::Env env = Env();
    if (status_.ok) {
      log_->NoteSynced(size_, truncations_);
      deferred_.Resolve(Napi::Number::New(env, static_cast<double>(log_->syncedSize())));
    } else {
      deferred_.Reject(MakeStorageError(env, status_));
    }
  }

 private:
  Napi::Promise::Deferred deferred_;
  std::shared_ptr<MappedFile> log_, index_, timeIndex_;
  size_t size_;
  uint64_t truncations_;
  Status status_;
};

}  // namespace

void SegmentWrap::Register(Napi::Env env, Napi::Object exports) {
  Napi::Object slots = Napi::Object::New(env);
  for (size_t i = 0; i < kLookupSlots; i++) slots.Set(kLookupSlotNames[i], Napi::Number::New(env, double(i)));
  slots.Freeze();
  Napi::Function ctor = DefineClass(
      env, "Segment",
      {
          InstanceMethod<&SegmentWrap::Append>("append"),
          InstanceMethod<&SegmentWrap::AppendPieces>("appendPieces"),
          InstanceMethod<&SegmentWrap::Read>("read"),
          InstanceMethod<&SegmentWrap::ReadLength>("readLength"),
          InstanceMethod<&SegmentWrap::ChunkBuffer>("chunkBuffer"),
          InstanceMethod<&SegmentWrap::IndexBuffer>("indexBuffer"),
          InstanceMethod<&SegmentWrap::TimeIndexBuffer>("timeIndexBuffer"),
          InstanceMethod<&SegmentWrap::LookupState>("lookupState"),
          StaticValue("LOOKUP_STATE", slots),
          StaticValue("VIEW_CHUNK_BYTES", Napi::Number::New(env, static_cast<double>(kViewChunkBytes))),
          StaticValue("VIEW_CHUNK_OVERLAP_BYTES", Napi::Number::New(env, static_cast<double>(kViewChunkOverlapBytes))),
          InstanceMethod<&SegmentWrap::FindOffsetPosition>("findOffsetPosition"),
          InstanceMethod<&SegmentWrap::FindTimestampPosition>("findTimestampPosition"),
          InstanceMethod<&SegmentWrap::IndexFloor>("indexFloor"),
          InstanceMethod<&SegmentWrap::TimeIndexFloor>("timeIndexFloor"),
          InstanceMethod<&SegmentWrap::TruncateTo>("truncateTo"),
          InstanceMethod<&SegmentWrap::Seal>("seal"),
          InstanceMethod<&SegmentWrap::Unseal>("unseal"),
          InstanceMethod<&SegmentWrap::Flush>("flush"),
          InstanceMethod<&SegmentWrap::FlushSync>("flushSync"),
          InstanceMethod<&SegmentWrap::Close>("close"),
          InstanceMethod<&SegmentWrap::Delete>("delete"),
          InstanceMethod<&SegmentWrap::Info>("info"),
          InstanceAccessor<&SegmentWrap::GetSize>("size"),
          InstanceAccessor<&SegmentWrap::GetBaseOffset>("baseOffset"),
          InstanceAccessor<&SegmentWrap::GetNextOffset>("nextOffset"),
          InstanceAccessor<&SegmentWrap::GetMaxTimestamp>("maxTimestamp"),
          InstanceAccessor<&SegmentWrap::GetFirstBatchTimestamp>("firstBatchTimestamp"),
          InstanceAccessor<&SegmentWrap::GetIndexSlotsLeft>("indexSlotsLeft"),
          InstanceAccessor<&SegmentWrap::GetCapacity>("capacity"),
          InstanceAccessor<&SegmentWrap::GetClosed>("closed"),
          InstanceAccessor<&SegmentWrap::GetSealed>("sealed"),
          InstanceAccessor<&SegmentWrap::GetLiveViews>("liveViews"),
          InstanceAccessor<&SegmentWrap::GetSyncedSize>("syncedSize"),
      });
  env.GetInstanceData<AddonData>()->segmentConstructor = Napi::Persistent(ctor);
  exports.Set("Segment", ctor);
}

// new Segment({ logPath, indexPath, timeIndexPath, baseOffset, logCapacity, indexCapacity, indexIntervalBytes,
//               mode: 'create' | 'clean' | 'recover' })
SegmentWrap::SegmentWrap(const Napi::CallbackInfo& info)
    : Napi::ObjectWrap<SegmentWrap>(info), state_(new double[kLookupSlots]()) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsObject()) {
    ThrowArgument(env, "Segment: options object required");
    return;
  }
  Napi::Object o = info[0].As<Napi::Object>();
  SegmentOptions options;
  double baseOffset, logCapacity, indexCapacity, interval;
  std::string mode;
  if (!ReadString(o, "logPath", &options.logPath) || !ReadString(o, "indexPath", &options.indexPath) ||
      !ReadString(o, "timeIndexPath", &options.timeIndexPath) || !ReadString(o, "mode", &mode) ||
      !ReadInteger(o.Get("baseOffset"), 0, kMaxSafeInteger, &baseOffset) ||
      !ReadInteger(o.Get("logCapacity"), 0, 4294967295.0, &logCapacity) ||
      !ReadInteger(o.Get("indexCapacity"), 12, 2147483647.0, &indexCapacity) ||
      !ReadInteger(o.Get("indexIntervalBytes"), 0, 2147483647.0, &interval)) {
    ThrowArgument(env, "Segment: invalid options");
    return;
  }
  OpenMode openMode;
  if (mode == "create") openMode = OpenMode::kCreate;
  else if (mode == "clean") openMode = OpenMode::kClean;
  else if (mode == "recover") openMode = OpenMode::kRecover;
  else {
    ThrowArgument(env, "Segment: mode must be create, clean or recover");
    return;
  }
  options.baseOffset = static_cast<int64_t>(baseOffset);
  options.logCapacity = static_cast<size_t>(logCapacity);
  options.indexCapacity = static_cast<size_t>(indexCapacity);
  options.indexIntervalBytes = static_cast<uint32_t>(interval);
  Status st = Segment::Open(options, openMode, &segment_, &recovery_);
  if (!st.ok) {
    segment_.reset();
    PublishState(false);
    ThrowStatus(env, st);
    return;
  }
  lastRegion_ = segment_->logFile()->region();
  PublishState(false);
}

SegmentWrap::~SegmentWrap() = default;

bool SegmentWrap::Usable(Napi::Env env) {
  if (!segment_ || segment_->closed()) {
    ThrowStatus(env, Status::Error("ERR_SEGMENT_CLOSED", "segment is closed or deleted"));
    return false;
  }
  return true;
}

// append(batches: Buffer) -> position
Napi::Value SegmentWrap::Append(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!Usable(env)) return env.Undefined();
  if (info.Length() < 1 || !info[0].IsTypedArray() ||
      info[0].As<Napi::TypedArray>().TypedArrayType() != napi_uint8_array) {
    ThrowArgument(env, "append: a Buffer is required");
    return env.Undefined();
  }
  Napi::Uint8Array bytes = info[0].As<Napi::Uint8Array>();
  size_t position;
  Status st = segment_->Append(bytes.Data(), bytes.ElementLength(), &position);
  PublishState(false);
  if (!st.ok) {
    ThrowStatus(env, st);
    return env.Undefined();
  }
  return Napi::Number::New(env, static_cast<double>(position));
}

// appendPieces(pieces: Buffer[]) -> position of the first: the buffers' batches appended back to back, one pwritev
Napi::Value SegmentWrap::AppendPieces(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!Usable(env)) return env.Undefined();
  if (info.Length() < 1 || !info[0].IsArray()) {
    ThrowArgument(env, "appendPieces: an array of Buffers is required");
    return env.Undefined();
  }
  Napi::Array list = info[0].As<Napi::Array>();
  uint32_t count = list.Length();
  if (count == 0 || count > 1024) {
    ThrowArgument(env, "appendPieces: 1 to 1024 Buffers");
    return env.Undefined();
  }
  // The Buffers stay referenced by `list` (the caller's array) for the whole synchronous call.
  std::vector<struct iovec> pieces(count);
  for (uint32_t i = 0; i < count; i++) {
    Napi::Value v = list.Get(i);
    if (!v.IsTypedArray() || v.As<Napi::TypedArray>().TypedArrayType() != napi_uint8_array) {
      ThrowArgument(env, "appendPieces: an array of Buffers is required");
      return env.Undefined();
    }
    Napi::Uint8Array bytes = v.As<Napi::Uint8Array>();
    pieces[i].iov_base = bytes.Data();
    pieces[i].iov_len = bytes.ElementLength();
  }
  size_t position;
  Status st = segment_->AppendPieces(pieces.data(), static_cast<int>(count), &position);
  PublishState(false);
  if (!st.ok) {
    ThrowStatus(env, st);
    return env.Undefined();
  }
  return Napi::Number::New(env, static_cast<double>(position));
}

// read(position, maxBytes, minOneBatch) -> Buffer viewing the mapping (no copy), or null at the end
Napi::Value SegmentWrap::Read(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!Usable(env)) return env.Undefined();
  double position, maxBytes;
  if (info.Length() < 2 || !ReadInteger(info[0], 0, 4294967295.0, &position) ||
      !ReadInteger(info[1], 0, kMaxSafeInteger, &maxBytes)) {
    ThrowArgument(env, "read(position, maxBytes, minOneBatch): invalid arguments");
    return env.Undefined();
  }
  bool minOne = info.Length() > 2 && info[2].ToBoolean().Value();
  size_t length;
  Status st = segment_->ReadLength(static_cast<size_t>(position), static_cast<size_t>(maxBytes), minOne, &length);
  if (!st.ok) {
    ThrowStatus(env, st);
    return env.Undefined();
  }
  if (length == 0) return env.Null();
  const std::shared_ptr<Region>& region = segment_->logFile()->region();
  lastRegion_ = region;
  size_t start = static_cast<size_t>(position);
  ViewHold* hold = new ViewHold{region};
  region->AcquireView(start + length);
  napi_value result;
  napi_status status = napi_create_external_buffer(
      env, length, region->data() + start,
      [](napi_env, void*, void* hint) { ReleaseView(static_cast<ViewHold*>(hint)); }, hold, &result);
  if (status != napi_ok) {
    ReleaseView(hold);
    ThrowStatus(env, Status::Error("ERR_NAPI", "napi_create_external_buffer failed"));
    return env.Undefined();
  }
  return Napi::Value(env, result);
}

// readLength(position, maxBytes, minOneBatch) -> byte length of the whole batches a read would return
Napi::Value SegmentWrap::ReadLength(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!Usable(env)) return env.Undefined();
  double position, maxBytes;
  if (info.Length() < 2 || !ReadInteger(info[0], 0, 4294967295.0, &position) ||
      !ReadInteger(info[1], 0, kMaxSafeInteger, &maxBytes)) {
    ThrowArgument(env, "readLength(position, maxBytes, minOneBatch): invalid arguments");
    return env.Undefined();
  }
  bool minOne = info.Length() > 2 && info[2].ToBoolean().Value();
  size_t length;
  Status st = segment_->ReadLength(static_cast<size_t>(position), static_cast<size_t>(maxBytes), minOne, &length);
  if (!st.ok) {
    ThrowStatus(env, st);
    return env.Undefined();
  }
  return Napi::Number::New(env, static_cast<double>(length));
}

// chunkBuffer(chunkIndex, minEnd) -> ArrayBuffer over the log mapping from chunkIndex * VIEW_CHUNK_BYTES, at least
// up to the absolute position minEnd (which must lie within the segment's bytes).
Napi::Value SegmentWrap::ChunkBuffer(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!Usable(env)) return env.Undefined();
  double index, minEnd;
  if (info.Length() < 2 || !ReadInteger(info[0], 0, 1048576.0, &index) ||
      !ReadInteger(info[1], 0, kMaxSafeInteger, &minEnd)) {
    ThrowArgument(env, "chunkBuffer(chunkIndex, minEnd): invalid arguments");
    return env.Undefined();
  }
  // A sealed segment no longer grows: one ArrayBuffer over the whole file (chunk 0) serves every read of it, so
  // V8 counts its memory once rather than once per chunk.
  const bool whole = segment_->sealed();
  if (whole && index != 0) {
    ThrowStatus(env, Status::Error("ERR_INVALID_ARG", "chunkBuffer: a sealed segment has one chunk, 0"));
    return env.Undefined();
  }
  size_t start = static_cast<size_t>(index) * kViewChunkBytes;
  size_t end = static_cast<size_t>(minEnd);
  const std::shared_ptr<MappedFile>& file = segment_->logFile();
  if (end > segment_->size() || end < start || (!whole && end > start + kViewChunkBytes + kViewChunkOverlapBytes)) {
    ThrowStatus(env, Status::Error("ERR_INVALID_ARG", "chunkBuffer: range outside the chunk or the segment"));
    return env.Undefined();
  }
  size_t k = static_cast<size_t>(index);
  if (chunks_.size() <= k) chunks_.resize(k + 1);
  Chunk& chunk = chunks_[k];
  if (!chunk.ref.IsEmpty() && chunk.length >= end - start) {
    Napi::ArrayBuffer alive = chunk.ref.Value();
    if (!alive.IsEmpty()) return alive;
  }
  // Never past what is allocated on disk: every byte of the ArrayBuffer is backed by the file.
  size_t limit = whole ? std::min(file->allocated(), segment_->size())
                      : std::min(start + kViewChunkBytes + kViewChunkOverlapBytes, file->allocated());
  size_t length = limit - start;
  const std::shared_ptr<Region>& region = file->region();
  lastRegion_ = region;
  Napi::ArrayBuffer buffer;
  if (!ExternalView(env, region, start, limit, &buffer)) return env.Undefined();
  chunk.ref = Napi::Persistent(buffer);
  chunk.length = length;
  chunk.strong = true;
  return buffer;
}

// indexBuffer(minEnd) / timeIndexBuffer(minEnd) -> ArrayBuffer over the .index / .timeindex mapping from byte 0 to
// what is allocated on disk, at least up to minEnd, which may not pass the segment's entries. Lookups in
// TypeScript read entries [0, lookupState().indexEntries) of it. Like chunkBuffer: the same ArrayBuffer is
// returned while it reaches minEnd (the index of the active segment grows: ask again, with the new end, when it
// does not); held strongly until a truncation, seal, unseal or close, which bump lookupState's generation so the
// caller drops its own reference and a shrink of the file waits for nothing but the collector.
Napi::Value SegmentWrap::IndexFileBuffer(const Napi::CallbackInfo& info, const char* usage,
                                         const std::shared_ptr<MappedFile>& file, size_t entries, size_t entryBytes,
                                         Chunk* view) {
  Napi::Env env = info.Env();
  double minEnd;
  if (info.Length() < 1 || !ReadInteger(info[0], 0, kMaxSafeInteger, &minEnd)) {
    ThrowArgument(env, std::string(usage) + "(minEnd): invalid arguments");
    return env.Undefined();
  }
  size_t end = static_cast<size_t>(minEnd);
  if (end > entries * entryBytes) {
    ThrowStatus(env, Status::Error("ERR_INVALID_ARG", std::string(usage) + ": range past the index entries"));
    return env.Undefined();
  }
  if (!view->ref.IsEmpty() && view->length >= end) {
    Napi::ArrayBuffer alive = view->ref.Value();
    if (!alive.IsEmpty()) return alive;
  }
  // allocated() >= entries * entryBytes: entries are only written into allocated bytes, and a shrink of the file
  // (seal, rebuild) lowers the entries first.
  size_t length = file->allocated();
  if (length == 0) return Napi::ArrayBuffer::New(env, 0);
  Napi::ArrayBuffer buffer;
  if (!ExternalView(env, file->region(), 0, length, &buffer)) return env.Undefined();
  view->ref = Napi::Persistent(buffer);
  view->length = length;
  view->strong = true;
  return buffer;
}

Napi::Value SegmentWrap::IndexBuffer(const Napi::CallbackInfo& info) {
  if (!Usable(info.Env())) return info.Env().Undefined();
  return IndexFileBuffer(info, "indexBuffer", segment_->indexFile(), segment_->indexEntries(), kIndexEntryBytes,
                         &indexView_);
}

Napi::Value SegmentWrap::TimeIndexBuffer(const Napi::CallbackInfo& info) {
  if (!Usable(info.Env())) return info.Env().Undefined();
  return IndexFileBuffer(info, "timeIndexBuffer", segment_->timeIndexFile(), segment_->timeIndexEntries(),
                         kTimeIndexEntryBytes, &timeIndexView_);
}

// lookupState() -> Float64Array (always the same one) over the published state: see LookupSlot.
Napi::Value SegmentWrap::LookupState(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!stateArray_.IsEmpty()) return stateArray_.Value();
  auto* hold = new std::shared_ptr<double[]>(state_);
  napi_value ab;
  napi_status status = napi_create_external_arraybuffer(
      env, state_.get(), kLookupSlots * sizeof(double),
      [](napi_env, void*, void* hint) { delete static_cast<std::shared_ptr<double[]>*>(hint); }, hold, &ab);
  if (status != napi_ok) {
    delete hold;
    ThrowStatus(env, Status::Error("ERR_NAPI", "napi_create_external_arraybuffer failed"));
    return env.Undefined();
  }
  Napi::Float64Array array = Napi::Float64Array::New(env, kLookupSlots, Napi::ArrayBuffer(env, ab), 0);
  stateArray_ = Napi::Persistent(array);
  return array;
}

void SegmentWrap::PublishState(bool viewsChanged) {
  double* s = state_.get();
  if (viewsChanged) s[kSlotGeneration] += 1;
  const Segment* seg = segment_.get();
  if (!seg || seg->closed()) {
    s[kSlotClosed] = 1;
    return;
  }
  s[kSlotClosed] = 0;
  s[kSlotSealed] = seg->sealed() ? 1 : 0;
  s[kSlotSize] = static_cast<double>(seg->size());
  s[kSlotNextOffset] = static_cast<double>(seg->nextOffset());
  s[kSlotBaseOffset] = static_cast<double>(seg->baseOffset());
  s[kSlotMaxTimestamp] = static_cast<double>(seg->maxTimestamp());
  s[kSlotIndexEntries] = static_cast<double>(seg->indexEntries());
  s[kSlotTimeIndexEntries] = static_cast<double>(seg->timeIndexEntries());
}

void SegmentWrap::WeakenChunks() {
  for (Chunk* chunk : {&indexView_, &timeIndexView_}) {
    if (chunk->strong && !chunk->ref.IsEmpty()) chunk->ref.Unref();
    chunk->strong = false;
  }
  for (Chunk& chunk : chunks_) {
    if (chunk.strong && !chunk.ref.IsEmpty()) chunk.ref.Unref();
    chunk.strong = false;
  }
}

void SegmentWrap::DropViews() {
  chunks_.clear();
  indexView_ = Chunk();
  timeIndexView_ = Chunk();
}

Napi::Value SegmentWrap::FindOffsetPosition(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!Usable(env)) return env.Undefined();
  int64_t offset;
  if (!SafeIntegerArg(info, "findOffsetPosition", &offset)) return env.Undefined();
  return Napi::Number::New(env, static_cast<double>(segment_->FindOffsetPosition(offset)));
}

Napi::Value SegmentWrap::FindTimestampPosition(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!Usable(env)) return env.Undefined();
  int64_t ts;
  if (!SafeIntegerArg(info, "findTimestampPosition", &ts)) return env.Undefined();
  return Napi::Number::New(env, static_cast<double>(segment_->FindTimestampPosition(ts)));
}

Napi::Value SegmentWrap::IndexFloor(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!Usable(env)) return env.Undefined();
  int64_t offset;
  if (!SafeIntegerArg(info, "indexFloor", &offset)) return env.Undefined();
  int64_t entryOffset;
  size_t entryPosition;
  if (!segment_->IndexFloor(offset, &entryOffset, &entryPosition)) return env.Null();
  return Pair(env, entryOffset, static_cast<int64_t>(entryPosition));
}

Napi::Value SegmentWrap::TimeIndexFloor(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!Usable(env)) return env.Undefined();
  int64_t ts;
  if (!SafeIntegerArg(info, "timeIndexFloor", &ts)) return env.Undefined();
  int64_t entryTs, entryOffset;
  if (!segment_->TimeIndexFloor(ts, &entryTs, &entryOffset)) return env.Null();
  return Pair(env, entryTs, entryOffset);
}

Napi::Value SegmentWrap::TruncateTo(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!Usable(env)) return env.Undefined();
  double offset;
  if (info.Length() < 1 || !ReadInteger(info[0], 0, kMaxSafeInteger, &offset)) {
    ThrowArgument(env, "truncateTo(offset): offset must be a non-negative safe integer");
    return env.Undefined();
  }
  size_t removed;
  WeakenChunks();
  Status st = segment_->TruncateTo(static_cast<int64_t>(offset), &removed);
  PublishState(true);
  if (!st.ok) {
    ThrowStatus(env, st);
    return env.Undefined();
  }
  return Napi::Number::New(env, static_cast<double>(removed));
}

Napi::Value SegmentWrap::Seal(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!Usable(env)) return env.Undefined();
  WeakenChunks();
  Status st = segment_->Seal();
  PublishState(true);
  if (!st.ok) ThrowStatus(env, st);
  return env.Undefined();
}

// unseal(logCapacity, indexCapacity)
Napi::Value SegmentWrap::Unseal(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!Usable(env)) return env.Undefined();
  double logCapacity, indexCapacity;
  if (info.Length() < 2 || !ReadInteger(info[0], 0, 4294967295.0, &logCapacity) ||
      !ReadInteger(info[1], 12, 2147483647.0, &indexCapacity)) {
    ThrowArgument(env, "unseal(logCapacity, indexCapacity): invalid arguments");
    return env.Undefined();
  }
  Status st = segment_->Unseal(static_cast<size_t>(logCapacity), static_cast<size_t>(indexCapacity));
  PublishState(true);
  if (!st.ok) ThrowStatus(env, st);
  return env.Undefined();
}

Napi::Value SegmentWrap::Flush(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!Usable(env)) return env.Undefined();
  bool dataOnly = info.Length() > 0 && info[0].IsBoolean() && info[0].As<Napi::Boolean>().Value();
  FlushWorker* worker = new FlushWorker(env, *segment_, dataOnly);
  Napi::Promise promise = worker->Promise();
  worker->Queue();
  return promise;
}

Napi::Value SegmentWrap::FlushSync(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!Usable(env)) return env.Undefined();
  size_t size = segment_->size();
  uint64_t truncations = segment_->logFile()->truncations();
  Status st = segment_->Sync();
  if (!st.ok) {
    ThrowStatus(env, st);
    return env.Undefined();
  }
  segment_->logFile()->NoteSynced(size, truncations);
  return env.Undefined();
}

Napi::Value SegmentWrap::Close(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!segment_ || segment_->closed()) return env.Undefined();
  Status st = segment_->Close();
  DropViews();
  PublishState(true);
  if (!st.ok) ThrowStatus(env, st);
  return env.Undefined();
}

Napi::Value SegmentWrap::Delete(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!Usable(env)) return env.Undefined();
  Status st = segment_->Delete();
  DropViews();
  PublishState(true);
  if (!st.ok) ThrowStatus(env, st);
  return env.Undefined();
}

// info() -> { indexEntries, timeIndexEntries, offsetOfMaxTimestamp, sealed, recovery: {...} }
Napi::Value SegmentWrap::Info(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object o = Napi::Object::New(env);
  if (segment_) {
    o.Set("indexEntries", Napi::Number::New(env, segment_->indexEntries()));
    o.Set("timeIndexEntries", Napi::Number::New(env, segment_->timeIndexEntries()));
    o.Set("offsetOfMaxTimestamp", Napi::Number::New(env, static_cast<double>(segment_->offsetOfMaxTimestamp())));
    o.Set("sealed", Napi::Boolean::New(env, segment_->sealed()));
  }
  Napi::Object r = Napi::Object::New(env);
  r.Set("validBytes", Napi::Number::New(env, static_cast<double>(recovery_.validBytes)));
  r.Set("truncatedBytes", Napi::Number::New(env, static_cast<double>(recovery_.truncatedBytes)));
  r.Set("zeroTailBytes", Napi::Number::New(env, static_cast<double>(recovery_.zeroTailBytes)));
  r.Set("indexRebuilt", Napi::Boolean::New(env, recovery_.indexRebuilt));
  o.Set("recovery", r);
  return o;
}

#define STRATA_GETTER(Name, expr)                                  \
  Napi::Value SegmentWrap::Name(const Napi::CallbackInfo& info) {  \
    Napi::Env env = info.Env();                                    \
    if (!segment_) return Napi::Number::New(env, 0);               \
    return Napi::Number::New(env, static_cast<double>(expr));      \
  }

STRATA_GETTER(GetSize, segment_->size())
STRATA_GETTER(GetBaseOffset, segment_->baseOffset())
STRATA_GETTER(GetNextOffset, segment_->nextOffset())
STRATA_GETTER(GetMaxTimestamp, segment_->maxTimestamp())
STRATA_GETTER(GetFirstBatchTimestamp, segment_->firstBatchTimestamp())
STRATA_GETTER(GetIndexSlotsLeft, segment_->indexSlotsLeft())
STRATA_GETTER(GetCapacity, segment_->logCapacity())
STRATA_GETTER(GetSyncedSize, segment_->closed() ? 0 : segment_->logFile()->syncedSize())
#undef STRATA_GETTER

Napi::Value SegmentWrap::GetSealed(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), segment_ && segment_->sealed());
}

Napi::Value SegmentWrap::GetClosed(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), !segment_ || segment_->closed());
}

// Views still alive over this segment's log mapping (also after close/delete, until they are collected).
Napi::Value SegmentWrap::GetLiveViews(const Napi::CallbackInfo& info) {
  std::shared_ptr<Region> region = lastRegion_.lock();
  return Napi::Number::New(info.Env(), region ? static_cast<double>(region->liveViews()) : 0);
}

}  // namespace strata
