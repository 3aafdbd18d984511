/*
 * The physical floor of an incremental replication on one host: the least work that brings a
 * destination from the base snapshot to the changed one, with the same rule as `subvol send`.
 *
 *   floor BASE_IMAGE CHANGED_IMAGE DESTINATION_BASE_IMAGE OUTPUT
 *
 * It maps both snapshot images with FIEMAP, takes the ranges of CHANGED_IMAGE whose physical
 * placement differs from BASE_IMAGE (src/Subvol/Replication/ExtentDiff.cs), asks the kernel to read
 * all of them ahead at once, clones DESTINATION_BASE_IMAGE to OUTPUT, copies the changed ranges
 * into OUTPUT, punches the holes, and syncs once. It prints the number of ranges and the bytes
 * copied. No stream, no checksums, no metadata: Subvol cannot go faster than this, so the
 * replication bench states Subvol's time as a multiple of it.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/fiemap.h>
#include <linux/fs.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

/* A logical range of an image and where it starts on the device; comparable is false where the
 * kernel gives no physical address to compare (delayed, unknown, encoded), so it always counts
 * as changed, as in ExtentDiff. */
struct segment { int64_t start, end, physical; int comparable; };
struct segments { struct segment *items; size_t count, capacity; };

/* A range to bring over: data to copy, or a hole where the base had data. */
struct change { int64_t offset, length; int hole; };
struct changes { struct change *items; size_t count, capacity; };

static void die(const char *call, const char *path)
{
    fprintf(stderr, "floor: %s %s: %s\n", call, path, strerror(errno));
    exit(1);
}

static void *grow(void *items, size_t *capacity, size_t size)
{
    *capacity = *capacity ? *capacity * 2 : 1024;
    void *grown = realloc(items, *capacity * size);
    if (!grown) { fprintf(stderr, "floor: out of memory\n"); exit(1); }
    return grown;
}

/* The data extents of an image, clipped to size, in logical order. FIEMAP_FLAG_SYNC writes dirty
 * pages back first, so every extent has its final physical address, as `subvol send` asks. */
static struct segments map_image(int fd, const char *path, int64_t size)
{
    enum { batch = 512 };
    struct segments segments = { 0 };
    struct fiemap *map = calloc(1, sizeof *map + batch * sizeof(struct fiemap_extent));
    if (!map) { fprintf(stderr, "floor: out of memory\n"); exit(1); }
    uint64_t next = 0;
    for (int last = 0; !last;) {
        memset(map, 0, sizeof *map);
        map->fm_start = next;
        map->fm_length = FIEMAP_MAX_OFFSET - next;
        map->fm_flags = FIEMAP_FLAG_SYNC;
        map->fm_extent_count = batch;
        if (ioctl(fd, FS_IOC_FIEMAP, map) < 0) die("FS_IOC_FIEMAP", path);
        if (map->fm_mapped_extents == 0) break;
        for (unsigned i = 0; i < map->fm_mapped_extents; i++) {
            struct fiemap_extent *extent = &map->fm_extents[i];
            next = extent->fe_logical + extent->fe_length;
            last |= extent->fe_flags & FIEMAP_EXTENT_LAST;
            /* Unwritten extents read as zeros, so they count as holes. */
            if (extent->fe_flags & FIEMAP_EXTENT_UNWRITTEN) continue;
            int64_t start = extent->fe_logical, end = (int64_t)next < size ? (int64_t)next : size;
            if (segments.count && segments.items[segments.count - 1].end > start)
                start = segments.items[segments.count - 1].end;
            if (start >= end) continue;
            if (segments.count == segments.capacity)
                segments.items = grow(segments.items, &segments.capacity, sizeof *segments.items);
            segments.items[segments.count++] = (struct segment){
                start, end, (int64_t)extent->fe_physical + (start - (int64_t)extent->fe_logical),
                !(extent->fe_flags & (FIEMAP_EXTENT_UNKNOWN | FIEMAP_EXTENT_DELALLOC | FIEMAP_EXTENT_ENCODED)) };
        }
    }
    free(map);
    return segments;
}

static void add_change(struct changes *changes, int64_t offset, int64_t length, int hole)
{
    struct change *last = changes->count ? &changes->items[changes->count - 1] : NULL;
    if (last && last->offset + last->length == offset && last->hole == hole) {
        last->length += length;
        return;
    }
    if (changes->count == changes->capacity)
        changes->items = grow(changes->items, &changes->capacity, sizeof *changes->items);
    changes->items[changes->count++] = (struct change){ offset, length, hole };
}

/* Walks both maps together, one piece at a time between consecutive extent boundaries: a piece
 * of target data is unchanged only where the base maps the same logical byte to the same
 * physical byte; a piece that is a hole in the target and data in the base becomes a hole. */
static struct changes diff(struct segments base, struct segments target, int64_t size)
{
    struct changes changes = { 0 };
    size_t b = 0, t = 0;
    for (int64_t at = 0; at < size;) {
        while (t < target.count && target.items[t].end <= at) t++;
        while (b < base.count && base.items[b].end <= at) b++;
        struct segment *in_target = t < target.count && target.items[t].start <= at ? &target.items[t] : NULL;
        struct segment *in_base = b < base.count && base.items[b].start <= at ? &base.items[b] : NULL;
        int64_t end = size;
        if (t < target.count) end = in_target ? in_target->end : target.items[t].start < end ? target.items[t].start : end;
        if (b < base.count) {
            int64_t boundary = in_base ? in_base->end : base.items[b].start;
            if (boundary < end) end = boundary;
        }
        if (in_target) {
            int same = in_base && in_target->comparable && in_base->comparable
                && in_target->physical + (at - in_target->start) == in_base->physical + (at - in_base->start);
            if (!same) add_change(&changes, at, end - at, 0);
        } else if (in_base) {
            add_change(&changes, at, end - at, 1);
        }
        at = end;
    }
    return changes;
}

static int open_or_die(const char *path, int flags)
{
    int fd = open(path, flags | O_CLOEXEC, 0600);
    if (fd < 0) die("open", path);
    return fd;
}

static int64_t size_of(int fd, const char *path)
{
    struct stat status;
    if (fstat(fd, &status) < 0) die("fstat", path);
    return status.st_size;
}

int main(int argc, char **argv)
{
    if (argc != 5) {
        fprintf(stderr, "usage: floor BASE_IMAGE CHANGED_IMAGE DESTINATION_BASE_IMAGE OUTPUT\n");
        return 2;
    }
    const char *base_path = argv[1], *changed_path = argv[2], *destination_path = argv[3], *output_path = argv[4];
    int base = open_or_die(base_path, O_RDONLY), changed = open_or_die(changed_path, O_RDONLY);
    int64_t size = size_of(changed, changed_path);
    struct changes changes = diff(map_image(base, base_path, size), map_image(changed, changed_path, size), size);

    /* Every read is queued before the first one is waited for, so the device sees them all at
     * once and can reorder them, instead of one round trip per range. */
    for (size_t i = 0; i < changes.count; i++)
        if (!changes.items[i].hole)
            posix_fadvise(changed, changes.items[i].offset, changes.items[i].length, POSIX_FADV_WILLNEED);

    /* The destination already holds the base: a clone shares its blocks, so only changes are written. */
    int destination = open_or_die(destination_path, O_RDONLY);
    int output = open_or_die(output_path, O_WRONLY | O_CREAT | O_TRUNC);
    if (ioctl(output, FICLONE, destination) < 0) die("FICLONE", output_path);
    if (size_of(output, output_path) != size && ftruncate(output, size) < 0) die("ftruncate", output_path);

    enum { buffer_size = 4 << 20 };
    char *buffer = malloc(buffer_size);
    if (!buffer) { fprintf(stderr, "floor: out of memory\n"); return 1; }
    int64_t copied = 0;
    for (size_t i = 0; i < changes.count; i++) {
        struct change change = changes.items[i];
        if (change.hole) {
            if (fallocate(output, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, change.offset, change.length) < 0)
                die("fallocate", output_path);
            continue;
        }
        for (int64_t done = 0; done < change.length;) {
            size_t want = change.length - done < buffer_size ? (size_t)(change.length - done) : buffer_size;
            ssize_t got = pread(changed, buffer, want, change.offset + done);
            if (got < 0) die("pread", changed_path);
            if (got == 0) { errno = EIO; die("pread (short image)", changed_path); }
            for (ssize_t written = 0; written < got;) {
                ssize_t put = pwrite(output, buffer + written, got - written, change.offset + done + written);
                if (put < 0) die("pwrite", output_path);
                written += put;
            }
            done += got;
        }
        copied += change.length;
    }
    /* One sync at the end, as a receive must before it publishes a snapshot. */
    if (fsync(output) < 0) die("fsync", output_path);
    printf("%zu ranges, %lld bytes copied\n", changes.count, (long long)copied);
    return 0;
}
