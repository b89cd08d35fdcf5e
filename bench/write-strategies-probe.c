// Write strategies for appending to a segment file on this machine, in C without Node (not part of
// bench:storage). 1 GiB per strategy in appends of `chunk` bytes, each strategy on a fresh file, twice.
//
//   gcc -O2 -o /tmp/write-strategies-probe bench/write-strategies-probe.c
//   /tmp/write-strategies-probe /tmp/probe-seg.log 16384; /tmp/write-strategies-probe /tmp/probe-seg.log 1048576
//
// Compares what native/segment.cc does today (memcpy into a MAP_SHARED mapping of a file fallocate'd ahead in
// 8 MiB steps) with pwrite into the same preallocated file, with prefaulting by MADV_POPULATE_WRITE, with a
// sparse file, and with rewriting pages that are already in the page cache.
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>
#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23
#endif
static double now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec + t.tv_nsec / 1e9; }
#define STEP (8u << 20)
int main(int argc, char** argv) {
  const char* path = argc > 1 ? argv[1] : "/tmp/probe-seg.log";
  size_t chunk = argc > 2 ? strtoul(argv[2], 0, 10) : 16384;
  size_t total = (size_t)1 << 30;
  char* src = aligned_alloc(4096, chunk); memset(src, 0x5a, chunk);
  const char* names[] = {"write() append, no fallocate (baseline)", "pwrite into fallocate'd file (8 MiB steps)",
                         "memcpy into mmap, fallocate'd (current)", "memcpy into mmap, fallocate + MADV_POPULATE_WRITE per 8 MiB",
                         "memcpy into mmap, sparse (ftruncate)", "memcpy into mmap, pages already cached (rewrite)"};
  for (int round = 0; round < 2; round++)
  for (int mode = 0; mode < 6; mode++) {
    unlink(path);
    int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
    char* map = NULL;
    if (mode >= 2) map = mmap(NULL, total, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (mode == 4) ftruncate(fd, total);
    if (mode == 5) { posix_fallocate(fd, 0, total); for (size_t p = 0; p < total; p += chunk) memcpy(map + p, src, chunk); }
    size_t allocated = 0;
    double t0 = now();
    for (size_t pos = 0; pos + chunk <= total; pos += chunk) {
      if ((mode == 1 || mode == 2 || mode == 3) && pos + chunk > allocated) {
        size_t target = allocated + STEP; if (target < pos + chunk) target = pos + chunk;
        posix_fallocate(fd, allocated, target - allocated);
        if (mode == 3) madvise(map + allocated, target - allocated, MADV_POPULATE_WRITE);
        allocated = target;
      }
      if (mode == 0) write(fd, src, chunk);
      else if (mode == 1) pwrite(fd, src, chunk, pos);
      else memcpy(map + pos, src, chunk);
    }
    double s = now() - t0;
    printf("round %d chunk %7zu  %-62s %6.0f MB/s\n", round, chunk, names[mode], total / s / 1e6);
    if (map) munmap(map, total);
    close(fd); unlink(path);
  }
  return 0;
}
