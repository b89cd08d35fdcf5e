#include "crc32c_wrap.h"

#include "crc32c.h"
#include "storage_error.h"

namespace strata {
namespace {

using Impl = uint32_t (*)(uint32_t, const uint8_t*, size_t);

// (bytes: Uint8Array, start = 0, end = bytes.length, init = 0) -> uint32
template <Impl impl>
Napi::Value Crc(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsTypedArray()) {
    ThrowArgument(env, "crc32c: bytes must be a Buffer or Uint8Array");
    return env.Undefined();
  }
  Napi::TypedArray ta = info[0].As<Napi::TypedArray>();
  if (ta.TypedArrayType() != napi_uint8_array) {
    ThrowArgument(env, "crc32c: bytes must be a Uint8Array");
    return env.Undefined();
  }
  Napi::Uint8Array bytes = info[0].As<Napi::Uint8Array>();
  double length = static_cast<double>(bytes.ElementLength());
  double start = info.Length() > 1 && info[1].IsNumber() ? info[1].As<Napi::Number>().DoubleValue() : 0;
  double end = info.Length() > 2 && info[2].IsNumber() ? info[2].As<Napi::Number>().DoubleValue() : length;
  double init = info.Length() > 3 && info[3].IsNumber() ? info[3].As<Napi::Number>().DoubleValue() : 0;
  if (!(start >= 0 && start <= end && end <= length) || start != static_cast<double>(static_cast<size_t>(start)) ||
      end != static_cast<double>(static_cast<size_t>(end))) {
    ThrowArgument(env, "crc32c: range out of bounds");
    return env.Undefined();
  }
  if (!(init >= 0 && init <= 4294967295.0)) {
    ThrowArgument(env, "crc32c: init must be a uint32");
    return env.Undefined();
  }
  uint32_t crc = impl(static_cast<uint32_t>(init), bytes.Data() + static_cast<size_t>(start),
                      static_cast<size_t>(end - start));
  return Napi::Number::New(env, crc);
}

}  // namespace

void RegisterCrc32c(Napi::Env env, Napi::Object exports) {
  exports.Set("crc32c", Napi::Function::New(env, Crc<Crc32c>, "crc32c"));
  exports.Set("crc32cPortable", Napi::Function::New(env, Crc<Crc32cPortable>, "crc32cPortable"));
  exports.Set("crc32cHardware", Napi::Function::New(env, Crc<Crc32cHardware>, "crc32cHardware"));
  exports.Set("crc32cHardwareAvailable", Napi::Boolean::New(env, Crc32cHardwareAvailable()));
}

}  // namespace strata
