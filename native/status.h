// Plain C++ error value shared by the storage classes. No napi types here: the *_wrap layer turns a failed
// Status into a JS StorageError (code, errno, syscall, path), so this code never throws and never aborts.
#pragma once
#include <string>
#include <utility>

namespace strata {

struct Status {
  bool ok = true;
  std::string code;     // closed list, mirrored in src/errors/storage-error.ts
  int sysErrno = 0;     // errno of the failing syscall, 0 when not a syscall failure
  std::string syscall;  // e.g. "open", "fallocate"
  std::string path;
  std::string message;

  static Status Ok() { return Status(); }
  static Status Error(std::string code, std::string message, std::string path = "") {
    Status s;
    s.ok = false;
    s.code = std::move(code);
    s.message = std::move(message);
    s.path = std::move(path);
    return s;
  }
  // A failed syscall: the code is the errno name (ENOSPC, ENOENT, ...), as Node names its own fs errors.
  static Status Sys(int err, std::string syscall, std::string path);
};

}  // namespace strata
