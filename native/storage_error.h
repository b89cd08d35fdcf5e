// Turns a failed Status into a thrown JS StorageError. The class itself is TypeScript's (src/errors/), handed to
// the addon once at load time through setErrorClass(); until then a plain Error with the same fields is thrown.
#pragma once
#include <napi.h>

#include "status.h"

namespace strata {

struct AddonData {
  Napi::FunctionReference errorClass;
  Napi::FunctionReference segmentConstructor;
};

Napi::Value SetErrorClass(const Napi::CallbackInfo& info);
Napi::Value MakeStorageError(Napi::Env env, const Status& status);
// Throws unless an exception is already pending (never overwrite the first error).
void ThrowStatus(Napi::Env env, const Status& status);
void ThrowArgument(Napi::Env env, const std::string& message);

}  // namespace strata
