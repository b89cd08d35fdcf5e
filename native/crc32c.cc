#include "crc32c.h"

#include <cstring>

#if defined(__x86_64__) || defined(_M_X64)
#include <immintrin.h>
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

// x^bits mod P, by square and multiply.
uint32_t xPowModP(uint64_t bits) {
  uint32_t result = 1u << 31;  // x^0
  uint32_t square = 1u << 30;  // x^1
  while (bits) {
    if (bits & 1) result = multModP(square, result);
    square = multModP(square, square);
    bits >>= 1;
  }
  return result;
}

// x^(8*n) mod P: multiplying a raw CRC register by it appends n zero bytes.
uint32_t zerosOperator(size_t n) { return xPowModP(static_cast<uint64_t>(n) * 8); }

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

// Carry-less multiplication folding (Gopal et al., "Fast CRC Computation for Generic Polynomials Using PCLMULQDQ",
// Intel 2009), 256 bits wide. The data, read little-endian 16 bytes at a time, is a reflected 128-bit polynomial:
// bit i is the coefficient of x^(127-i), counted from the end of those 16 bytes, so the low qword is the
// higher-degree half H and the high qword the lower half L. Only the residue mod P matters, so an accumulator
// A = H*x^64 + L is moved D bits further along the message (A*x^D = H*x^(D+64) + L*x^D) by multiplying each half
// with a 32-bit residue and XORing the two products into the data found there. A reflected carry-less product of
// a 64-bit and a 32-bit operand puts x^0 at bit 94, 33 below the accumulator's bit 127, so the multipliers absorb
// x^-33: x^(D+31) for H, x^(D-33) for L. The products are below 95 bits: nothing spills out of the lane.
struct FoldConstant {
  uint64_t h, l;  // x^(D+31) and x^(D-33) mod P, reflected 32-bit values in 64-bit lanes
};
FoldConstant foldConstant(uint64_t bits) { return {xPowModP(bits + 31), xPowModP(bits - 33)}; }

// The same product moves a finished register c across n bytes (c*x^(8n) mod P): the carry-less product of c and a
// reflected 32-bit k, given to crc32 from register 0 as its 64-bit operand, stands for c*k*x^33 (x^1 from where the
// 63-bit product sits in the operand, x^32 from crc32 itself), so k = x^(8n-33).
uint64_t shiftConstant(uint64_t bytes) { return xPowModP(bytes * 8 - 33); }

// Folding runs on the vector unit and crc32 on an integer port, so long inputs feed both at once: a chunk is one
// folded region followed by three crc32 streams, all advanced in the same loop, a folding round (128 bytes) per
// kStreamQwords crc32 per stream. Measured here (Zen 3: a 256-bit vpclmulqdq every ~2 cycles, a crc32 every cycle),
// folding alone and crc32 alone each reach ~23 GB/s, together ~35.
constexpr size_t kStreamQwords = 6;
constexpr size_t kStreamRound = 8 * kStreamQwords;       // bytes per stream per round
constexpr size_t kRoundBytes = 128 + 3 * kStreamRound;   // 272
constexpr size_t kMaxRounds = 128;                       // chunks of ~34 KiB: a 16 KiB batch is one
constexpr size_t kFoldMin = 128;     // below: serial crc32; the folding path needs 128 bytes to start
constexpr size_t kHybridMin = 1024;  // below: folding alone; the streams are too short to pay for recombining

struct FoldConstants {
  FoldConstant by128 = foldConstant(128), by256 = foldConstant(256), by512 = foldConstant(512),
               by768 = foldConstant(768), by1024 = foldConstant(1024);
  // stream[r][i] moves a register across (3 - i) streams of r rounds: the folded region's across all three, the
  // first stream's across the other two, the second's across the third.
  uint64_t stream[kMaxRounds + 1][3];
  FoldConstants() {
    for (size_t r = 1; r <= kMaxRounds; r++) {
      for (size_t i = 0; i < 3; i++) stream[r][i] = shiftConstant((3 - i) * kStreamRound * r);
    }
  }
};

const FoldConstants& foldConstants() {
  static const FoldConstants instance;
  return instance;
}

#define STRATA_FOLD_TARGET __attribute__((target("sse4.2,pclmul,avx2,vpclmulqdq")))

STRATA_FOLD_TARGET inline __m256i load256(const uint8_t* p) {
  return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p));
}

STRATA_FOLD_TARGET inline __m256i broadcast(const FoldConstant& k) {
  return _mm256_set_epi64x(static_cast<int64_t>(k.l), static_cast<int64_t>(k.h), static_cast<int64_t>(k.l),
                           static_cast<int64_t>(k.h));
}

// Both 128-bit lanes of `acc` moved forward by the distance `k` was made for, XORed with `data`.
STRATA_FOLD_TARGET inline __m256i fold256(__m256i acc, __m256i k, __m256i data) {
  return _mm256_xor_si256(
      _mm256_xor_si256(_mm256_clmulepi64_epi128(acc, k, 0x00), _mm256_clmulepi64_epi128(acc, k, 0x11)), data);
}

STRATA_FOLD_TARGET inline __m128i fold128(__m128i acc, __m128i k, __m128i data) {
  return _mm_xor_si128(_mm_xor_si128(_mm_clmulepi64_si128(acc, k, 0x00), _mm_clmulepi64_si128(acc, k, 0x11)), data);
}

// Four accumulators of two lanes each: 128 bytes a round, every lane moving 1024 bits; four independent chains
// hide the multiplier's latency.
struct Fold {
  __m256i y0, y1, y2, y3;
  __m256i k1024;

  // The register enters as the message's first 32 bits: CRC(r, M) = CRC(0, M with r XORed into its first 4 bytes).
  STRATA_FOLD_TARGET Fold(uint32_t crc, const uint8_t* p, const FoldConstants& K)
      : y0(_mm256_xor_si256(load256(p), _mm256_setr_epi32(static_cast<int>(crc), 0, 0, 0, 0, 0, 0, 0))),
        y1(load256(p + 32)),
        y2(load256(p + 64)),
        y3(load256(p + 96)),
        k1024(broadcast(K.by1024)) {}

  STRATA_FOLD_TARGET inline void round(const uint8_t* p) {
    y0 = fold256(y0, k1024, load256(p));
    y1 = fold256(y1, k1024, load256(p + 32));
    y2 = fold256(y2, k1024, load256(p + 64));
    y3 = fold256(y3, k1024, load256(p + 96));
  }

  // The register after everything folded plus the `len` (< 128) bytes at p.
  STRATA_FOLD_TARGET inline uint32_t finish(const uint8_t* p, size_t len, const FoldConstants& K) const {
    // To one accumulator: each lane of y_i lies (3-i)*256 bits before the same lane of y3; then 32-byte rounds.
    const __m256i k256 = broadcast(K.by256);
    __m256i y = _mm256_xor_si256(fold256(y0, broadcast(K.by768), fold256(y1, broadcast(K.by512), y3)),
                                 fold256(y2, k256, _mm256_setzero_si256()));
    while (len >= 32) {
      y = fold256(y, k256, load256(p));
      p += 32;
      len -= 32;
    }
    // To one lane (lane 0 lies 128 bits before lane 1), then one more 16-byte step if the rest allows it.
    const __m128i k128 = _mm_set_epi64x(static_cast<int64_t>(K.by128.l), static_cast<int64_t>(K.by128.h));
    __m128i x = fold128(_mm256_castsi256_si128(y), k128, _mm256_extracti128_si256(y, 1));
    if (len >= 16) {
      x = fold128(x, k128, _mm_loadu_si128(reinterpret_cast<const __m128i*>(p)));
      p += 16;
      len -= 16;
    }
    // The accumulator, read as 16 message bytes, is congruent to all the bytes folded: its CRC from register 0 is
    // the register after them. The tail needs no alignment: unaligned crc32 loads cost nothing here.
    uint64_t c = _mm_crc32_u64(0, static_cast<uint64_t>(_mm_cvtsi128_si64(x)));
    c = _mm_crc32_u64(c, static_cast<uint64_t>(_mm_extract_epi64(x, 1)));
    if (len & 8) {
      c = _mm_crc32_u64(c, load64(p));
      p += 8;
    }
    uint32_t c32 = static_cast<uint32_t>(c);
    if (len & 4) {
      uint32_t w;
      std::memcpy(&w, p, 4);
      c32 = _mm_crc32_u32(c32, w);
      p += 4;
    }
    if (len & 2) {
      uint16_t w;
      std::memcpy(&w, p, 2);
      c32 = _mm_crc32_u16(c32, w);
      p += 2;
    }
    if (len & 1) c32 = _mm_crc32_u8(c32, *p);
    return c32;
  }
};

// Folding alone, for kFoldMin <= len.
STRATA_FOLD_TARGET inline uint32_t foldOnly(uint32_t crc, const uint8_t* p, size_t len, const FoldConstants& K) {
  Fold f(crc, p, K);
  p += 128;
  len -= 128;
  while (len >= 128) {
    f.round(p);
    p += 128;
    len -= 128;
  }
  return f.finish(p, len, K);
}

// One chunk: `foldLen` (>= 128 * (rounds + 1)) folded bytes from `crc`, then three streams of `rounds` rounds
// from register 0, recombined by moving each register across what follows it.
STRATA_FOLD_TARGET inline uint32_t hybridChunk(uint32_t crc, const uint8_t* p, size_t foldLen, size_t rounds,
                                               const FoldConstants& K) {
  const size_t streamLen = kStreamRound * rounds;
  const uint8_t* s = p + foldLen;
  uint64_t c1 = 0, c2 = 0, c3 = 0;
  Fold f(crc, p, K);
  const uint8_t* v = p + 128;
  for (size_t r = 0; r < rounds; r++) {
    f.round(v);
    v += 128;
    for (size_t i = 0; i < kStreamQwords; i++) {
      c1 = _mm_crc32_u64(c1, load64(s));
      c2 = _mm_crc32_u64(c2, load64(s + streamLen));
      c3 = _mm_crc32_u64(c3, load64(s + 2 * streamLen));
      s += 8;
    }
  }
  size_t rest = p + foldLen - v;
  while (rest >= 128) {
    f.round(v);
    v += 128;
    rest -= 128;
  }
  uint32_t c0 = f.finish(v, rest, K);
  // CRC from register 0 is linear, so the three moved registers share one reduction.
  __m128i moved = _mm_xor_si128(
      _mm_xor_si128(_mm_clmulepi64_si128(_mm_cvtsi32_si128(static_cast<int>(c0)),
                                         _mm_cvtsi64_si128(static_cast<int64_t>(K.stream[rounds][0])), 0x00),
                    _mm_clmulepi64_si128(_mm_cvtsi32_si128(static_cast<int>(c1)),
                                         _mm_cvtsi64_si128(static_cast<int64_t>(K.stream[rounds][1])), 0x00)),
      _mm_clmulepi64_si128(_mm_cvtsi32_si128(static_cast<int>(c2)),
                           _mm_cvtsi64_si128(static_cast<int64_t>(K.stream[rounds][2])), 0x00));
  return static_cast<uint32_t>(_mm_crc32_u64(0, static_cast<uint64_t>(_mm_cvtsi128_si64(moved)))) ^
         static_cast<uint32_t>(c3);
}

STRATA_FOLD_TARGET uint32_t rawFold(uint32_t crc, const uint8_t* p, size_t len) {
  if (len < kFoldMin) return rawHardware(crc, p, len);
  const FoldConstants& K = foldConstants();
  while (len >= kHybridMin) {
    // Whole chunks of kMaxRounds rounds while more remains; the last chunk takes everything, its folded region
    // also what whole rounds leave over (under kRoundBytes).
    size_t rounds = (len - 128) / kRoundBytes;
    size_t foldLen = len - 3 * kStreamRound * rounds;
    if (rounds > kMaxRounds) {
      rounds = kMaxRounds;
      foldLen = 128 * (kMaxRounds + 1);
    }
    crc = hybridChunk(crc, p, foldLen, rounds, K);
    size_t chunk = foldLen + 3 * kStreamRound * rounds;
    p += chunk;
    len -= chunk;
  }
  if (len >= kFoldMin) return foldOnly(crc, p, len, K);
  return rawHardware(crc, p, len);
}

bool foldAvailable() {
  return __builtin_cpu_supports("sse4.2") && __builtin_cpu_supports("pclmul") && __builtin_cpu_supports("avx2") &&
         __builtin_cpu_supports("vpclmulqdq");
}
#endif

using RawFn = uint32_t (*)(uint32_t, const uint8_t*, size_t);

RawFn pick() {
#ifdef STRATA_X86
  if (foldAvailable()) return rawFold;
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
