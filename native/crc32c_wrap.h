// JS entry points for CRC-32C: crc32c(bytes, start?, end?, init?) and the two implementations for tests.
#pragma once
#include <napi.h>

namespace strata {
void RegisterCrc32c(Napi::Env env, Napi::Object exports);
}
