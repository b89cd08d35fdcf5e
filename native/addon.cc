// Registers the addon's exports; nothing else lives here.
#include <napi.h>

#include "crc32c_wrap.h"
#include "segment_wrap.h"
#include "storage_error.h"

namespace {

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  env.SetInstanceData(new strata::AddonData());
  exports.Set("setErrorClass", Napi::Function::New(env, strata::SetErrorClass, "setErrorClass"));
  strata::RegisterCrc32c(env, exports);
  strata::SegmentWrap::Register(env, exports);
  return exports;
}

}  // namespace

NODE_API_MODULE(strata_native, Init)
