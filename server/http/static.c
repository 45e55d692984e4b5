/*
 * static.c — see static.h. Only regular files are served; a directory serves its index.html.
 */
#define _GNU_SOURCE
#include "static.h"

#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"

static int root_fd = -1;

bool
static_init(const char *root)
{
    root_fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (root_fd < 0)
        log_warn("web root %s cannot be opened: static files are off", root);
    return true;
}

void
static_fini(void)
{
    if (root_fd >= 0)
        close(root_fd);
    root_fd = -1;
}

static const struct {
    const char *ext, *type;
} types[] = {
    {".html", "text/html; charset=utf-8"},
    {".css", "text/css; charset=utf-8"},
    {".js", "text/javascript; charset=utf-8"},
    {".mjs", "text/javascript; charset=utf-8"},
    {".json", "application/json"},
    {".svg", "image/svg+xml"},
    {".png", "image/png"},
    {".jpg", "image/jpeg"},
    {".ico", "image/vnd.microsoft.icon"},
    {".txt", "text/plain; charset=utf-8"},
    {".woff2", "font/woff2"},
    {".wasm", "application/wasm"},
};

const char *
static_content_type(const char *name)
{
    size_t n = strlen(name);
    for (size_t i = 0; i < ARRAY_LEN(types); i++) {
        size_t e = strlen(types[i].ext);
        if (n > e && !strcasecmp(name + n - e, types[i].ext))
            return types[i].type;
    }
    return "application/octet-stream";
}

/* A segment we are willing to open: not empty, not hidden/./.., no backslash or control. */
static bool
segment_ok(const char *s, size_t n)
{
    if (n == 0 || n > 255 || s[0] == '.')
        return false;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] < 0x20 || s[i] == '\\' || s[i] == 0x7f)
            return false;
    return true;
}

int
static_open(const char *path, uint64_t *size, const char **type)
{
    if (root_fd < 0 || !path || path[0] != '/' || strlen(path) > 1024)
        return -1;
    int dir = dup(root_fd);
    if (dir < 0)
        return -1;
    const char *p = path + 1;
    char name[256] = "index.html";
    int fd = -1;
    while (*p) {
        const char *e = strchr(p, '/');
        size_t n = e ? (size_t)(e - p) : strlen(p);
        if (!segment_ok(p, n))
            goto fail;
        memcpy(name, p, n);
        name[n] = '\0';
        if (e && e[1] != '\0') { /* an intermediate directory */
            int next = openat(dir, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
            close(dir);
            dir = next;
            if (dir < 0)
                return -1;
            p = e + 1;
            continue;
        }
        if (e) { /* "dir/": its index */
            int next = openat(dir, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
            close(dir);
            dir = next;
            if (dir < 0)
                return -1;
            strcpy(name, "index.html");
        }
        break;
    }
    fd = openat(dir, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    struct stat st;
    if (fd >= 0 && fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
        int sub = openat(fd, "index.html", O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
        close(fd);
        fd = sub;
        strcpy(name, "index.html");
    }
    if (fd < 0 || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))
        goto fail;
    close(dir);
    *size = (uint64_t)st.st_size;
    *type = static_content_type(name);
    return fd;
fail:
    if (fd >= 0)
        close(fd);
    close(dir);
    return -1;
}
