#include "crc32c.h"

#include <cstring>

#if defined(__x86_64__) || defined(_M_X64)
#include <nmmintrin.h>
#define STRATA_X86 1
#endif

namespace strata {
namespace {

constexpr uint32_t kPoly = 0x82F63B78u;

struct Tables {
  uint32_t t[8][256];
  Tables() {
    for (uint32_t n = 0; n < 256; n++) {
      uint32_t c = n;
      for (int k = 0; k < 8; k++) c = (c & 1) ? (c >> 1) ^ kPoly : c >> 1;
      t[0][n] = c;
    }
    for (uint32_t n = 0; n < 256; n++) {
      uint32_t c = t[0][n];
      for (int k = 1; k < 8; k++) {
        c = t[0][c & 0xff] ^ (c >> 8);
        t[k][n] = c;
      }
    }
  }
};

const Tables& tables() {
  static const Tables instance;
  return instance;
}

inline uint64_t load64(const uint8_t* p) {
  uint64_t v;
  std::memcpy(&v, p, 8);
  return v;
}

// Raw register update (no pre/post inversion), slicing by 8. Little-endian hosts only (x86, arm64 Linux).
uint32_t rawPortable(uint32_t crc, const uint8_t* p, size_t len) {
  const Tables& T = tables();
  while (len && (reinterpret_cast<uintptr_t>(p) & 7)) {
    crc = T.t[0][(crc ^ *p++) & 0xff] ^ (crc >> 8);
    len--;
  }
  while (len >= 8) {
    uint64_t w = load64(p) ^ crc;
    crc = T.t[7][w & 0xff] ^ T.t[6][(w >> 8) & 0xff] ^ T.t[5][(w >> 16) & 0xff] ^ T.t[4][(w >> 24) & 0xff] ^
          T.t[3][(w >> 32) & 0xff] ^ T.t[2][(w >> 40) & 0xff] ^ T.t[1][(w >> 48) & 0xff] ^ T.t[0][w >> 56];
    p += 8;
    len -= 8;
  }
  while (len--) crc = T.t[0][(crc ^ *p++) & 0xff] ^ (crc >> 8);
  return crc;
}

// Polynomial product a*b modulo the CRC polynomial, both in reflected representation (x^0 is bit 31).
uint32_t multModP(uint32_t a, uint32_t b) {
  uint32_t m = 1u << 31, product = 0;
  for (;;) {
    if (a & m) {
      product ^= b;
      if ((a & (m - 1)) == 0) break;
    }
    m >>= 1;
    b = (b & 1) ? (b >> 1) ^ kPoly : b >> 1;
  }
  return product;
}

// x^(8*n) mod P: multiplying a raw CRC register by it appends n zero bytes.
uint32_t zerosOperator(size_t n) {
  uint64_t bits = static_cast<uint64_t>(n) * 8;
  uint32_t result = 1u << 31;  // x^0
  uint32_t square = 1u << 30;  // x^1
  while (bits) {
    if (bits & 1) result = multModP(square, result);
    square = multModP(square, square);
    bits >>= 1;
  }
  return result;
}

#ifdef STRATA_X86
constexpr size_t kLong = 4096;
constexpr size_t kShort = 256;

// Appending n zero bytes to a raw CRC register is multiplication by x^(8n) mod P, a linear map: tabulated per
// byte of the register, a shift is four lookups instead of a 32-step polynomial product.
struct ShiftTable {
  uint32_t t[4][256];
  explicit ShiftTable(size_t zeros) {
    uint32_t op = zerosOperator(zeros);
    for (int k = 0; k < 4; k++) {
      for (uint32_t b = 0; b < 256; b++) t[k][b] = multModP(op, b << (8 * k));
    }
  }
  uint32_t shift(uint32_t crc) const {
    return t[0][crc & 0xff] ^ t[1][(crc >> 8) & 0xff] ^ t[2][(crc >> 16) & 0xff] ^ t[3][crc >> 24];
  }
};

const ShiftTable& longShift() {
  static const ShiftTable table(kLong);
  return table;
}
const ShiftTable& shortShift() {
  static const ShiftTable table(kShort);
  return table;
}

// Three independent streams keep the crc32 unit busy (latency 3, throughput 1); their registers are then
// combined by shifting the earlier ones over the later streams' length.
template <size_t kBlock>
__attribute__((target("sse4.2"))) inline uint64_t threeWay(uint64_t c0, const uint8_t*& p, size_t& len,
                                                           const ShiftTable& shift) {
  while (len >= 3 * kBlock) {
    uint64_t c1 = 0, c2 = 0;
    const uint8_t* end = p + kBlock;
    do {
      c0 = _mm_crc32_u64(c0, load64(p));
      c1 = _mm_crc32_u64(c1, load64(p + kBlock));
      c2 = _mm_crc32_u64(c2, load64(p + 2 * kBlock));
      p += 8;
    } while (p < end);
    c0 = shift.shift(static_cast<uint32_t>(c0)) ^ c1;
    c0 = shift.shift(static_cast<uint32_t>(c0)) ^ c2;
    p += 2 * kBlock;
    len -= 3 * kBlock;
  }
  return c0;
}

__attribute__((target("sse4.2"))) uint32_t rawHardware(uint32_t crc, const uint8_t* p, size_t len) {
  uint64_t c0 = crc;
  while (len && (reinterpret_cast<uintptr_t>(p) & 7)) {
    c0 = _mm_crc32_u8(static_cast<uint32_t>(c0), *p++);
    len--;
  }
  c0 = threeWay<kLong>(c0, p, len, longShift());
  c0 = threeWay<kShort>(c0, p, len, shortShift());
  while (len >= 8) {
    c0 = _mm_crc32_u64(c0, load64(p));
    p += 8;
    len -= 8;
  }
  while (len--) c0 = _mm_crc32_u8(static_cast<uint32_t>(c0), *p++);
  return static_cast<uint32_t>(c0);
}
#endif

using RawFn = uint32_t (*)(uint32_t, const uint8_t*, size_t);

RawFn pick() {
#ifdef STRATA_X86
  if (__builtin_cpu_supports("sse4.2")) return rawHardware;
#endif
  return rawPortable;
}

}  // namespace

bool Crc32cHardwareAvailable() {
#ifdef STRATA_X86
  return __builtin_cpu_supports("sse4.2");
#else
  return false;
#endif
}

uint32_t Crc32cPortable(uint32_t crc, const uint8_t* data, size_t len) {
  return ~rawPortable(~crc, data, len);
}

uint32_t Crc32cHardware(uint32_t crc, const uint8_t* data, size_t len) {
#ifdef STRATA_X86
  if (Crc32cHardwareAvailable()) return ~rawHardware(~crc, data, len);
#endif
  return Crc32cPortable(crc, data, len);
}

uint32_t Crc32c(uint32_t crc, const uint8_t* data, size_t len) {
  static const RawFn fn = pick();
  return ~fn(~crc, data, len);
}

}  // namespace strata
