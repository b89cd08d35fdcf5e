// JS class `Segment` over strata::Segment. Arguments are validated in TypeScript first and re-checked here;
// failures throw StorageError. Offsets and timestamps cross as JS numbers (bound: Number.MAX_SAFE_INTEGER).
#pragma once
#include <napi.h>

#include <memory>
#include <vector>

#include "segment.h"

namespace strata {

class SegmentWrap : public Napi::ObjectWrap<SegmentWrap> {
 public:
  static void Register(Napi::Env env, Napi::Object exports);
  explicit SegmentWrap(const Napi::CallbackInfo& info);
  ~SegmentWrap() override;

 private:
  bool Usable(Napi::Env env);
  Napi::Value Append(const Napi::CallbackInfo& info);
  Napi::Value AppendPieces(const Napi::CallbackInfo& info);
  Napi::Value Read(const Napi::CallbackInfo& info);
  Napi::Value ReadLength(const Napi::CallbackInfo& info);
  Napi::Value ChunkBuffer(const Napi::CallbackInfo& info);
  Napi::Value IndexBuffer(const Napi::CallbackInfo& info);
  Napi::Value TimeIndexBuffer(const Napi::CallbackInfo& info);
  Napi::Value LookupState(const Napi::CallbackInfo& info);
  Napi::Value FindOffsetPosition(const Napi::CallbackInfo& info);
  Napi::Value FindTimestampPosition(const Napi::CallbackInfo& info);
  Napi::Value IndexFloor(const Napi::CallbackInfo& info);
  Napi::Value TimeIndexFloor(const Napi::CallbackInfo& info);
  Napi::Value TruncateTo(const Napi::CallbackInfo& info);
  Napi::Value Seal(const Napi::CallbackInfo& info);
  Napi::Value Unseal(const Napi::CallbackInfo& info);
  Napi::Value Flush(const Napi::CallbackInfo& info);
  Napi::Value FlushSync(const Napi::CallbackInfo& info);
  Napi::Value Close(const Napi::CallbackInfo& info);
  Napi::Value Delete(const Napi::CallbackInfo& info);
  Napi::Value Info(const Napi::CallbackInfo& info);

  Napi::Value GetSize(const Napi::CallbackInfo& info);
  Napi::Value GetNextOffset(const Napi::CallbackInfo& info);
  Napi::Value GetBaseOffset(const Napi::CallbackInfo& info);
  Napi::Value GetMaxTimestamp(const Napi::CallbackInfo& info);
  Napi::Value GetFirstBatchTimestamp(const Napi::CallbackInfo& info);
  Napi::Value GetIndexSlotsLeft(const Napi::CallbackInfo& info);
  Napi::Value GetCapacity(const Napi::CallbackInfo& info);
  Napi::Value GetClosed(const Napi::CallbackInfo& info);
  Napi::Value GetSealed(const Napi::CallbackInfo& info);
  Napi::Value GetLiveViews(const Napi::CallbackInfo& info);
  Napi::Value GetSyncedSize(const Napi::CallbackInfo& info);


  std::unique_ptr<Segment> segment_;
  RecoveryReport recovery_;
  std::weak_ptr<Region> lastRegion_;  // weak: must not keep the mapping alive after close
  // The ArrayBuffers viewing each chunk of the log mapping (see ChunkBuffer), with their lengths. Held strongly
  // while the segment is open, so a consumer's reads do not create (and V8 does not count) a new one each time;
  // weakened when the segment is sealed or truncated, so the file's shrink can run once readers let go.
  void WeakenChunks();
  void DropViews();  // close, delete: the views handed out live on, by their own references
  struct Chunk {
    Napi::Reference<Napi::ArrayBuffer> ref;
    size_t length = 0;
    bool strong = false;
  };
  std::vector<Chunk> chunks_;
  // The same for the .index and .timeindex mappings (indexBuffer/timeIndexBuffer), and what they share.
  Chunk indexView_, timeIndexView_;
  Napi::Value IndexFileBuffer(const Napi::CallbackInfo& info, const char* usage,
                              const std::shared_ptr<MappedFile>& file, size_t entries, size_t entryBytes, Chunk* view);

  // lookupState(): the segment state a lookup over the mapped views needs, as doubles in memory shared with JS,
  // rewritten after every call that changes the segment, so JS reads it without a call. Owned jointly by this
  // wrap and the JS Float64Array (either may go first). Slot layout: LookupSlot in segment_wrap.cc.
  void PublishState(bool viewsChanged);
  std::shared_ptr<double[]> state_;
  Napi::Reference<Napi::Float64Array> stateArray_;
};

}  // namespace strata
