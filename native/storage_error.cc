#include "storage_error.h"

namespace strata {

Napi::Value SetErrorClass(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsFunction()) {
    ThrowArgument(env, "setErrorClass(StorageError) needs a constructor");
    return env.Undefined();
  }
  AddonData* data = env.GetInstanceData<AddonData>();
  data->errorClass = Napi::Persistent(info[0].As<Napi::Function>());
  return env.Undefined();
}

Napi::Value MakeStorageError(Napi::Env env, const Status& status) {
  Napi::Object details = Napi::Object::New(env);
  details.Set("code", Napi::String::New(env, status.code));
  if (status.sysErrno != 0) details.Set("errno", Napi::Number::New(env, status.sysErrno));
  if (!status.syscall.empty()) details.Set("syscall", Napi::String::New(env, status.syscall));
  if (!status.path.empty()) details.Set("path", Napi::String::New(env, status.path));
  AddonData* data = env.GetInstanceData<AddonData>();
  if (data != nullptr && !data->errorClass.IsEmpty()) {
    return data->errorClass.New({Napi::String::New(env, status.message), details});
  }
  Napi::Error error = Napi::Error::New(env, status.message);
  Napi::Object obj = error.Value();
  for (const char* key : {"code", "errno", "syscall", "path"}) {
    if (details.Has(key)) obj.Set(key, details.Get(key));
  }
  return obj;
}

void ThrowStatus(Napi::Env env, const Status& status) {
  if (env.IsExceptionPending()) return;
  Napi::Value error = MakeStorageError(env, status);
  if (env.IsExceptionPending()) return;  // the constructor itself threw: let that one through
  Napi::Error(env, error).ThrowAsJavaScriptException();
}

void ThrowArgument(Napi::Env env, const std::string& message) {
  if (env.IsExceptionPending()) return;
  Status s = Status::Error("ERR_INVALID_ARG", message);
  ThrowStatus(env, s);
}

}  // namespace strata
