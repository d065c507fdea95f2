/* malloc.c - malloc/free churn: a table of live blocks of varied sizes that
 * are randomly freed, reallocated and replaced, plus short-lived linked lists
 * and binary trees built node by node and torn down.
 * Usage: malloc [N|q]   N = integer scale (default 1), q = ~1/5 of the work.
 * Nothing address-dependent enters the checksum. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>
#include "bench.h"

#define SLOTS 4096u
#define CHURN_PER_UNIT 600000u
#define LISTS_PER_UNIT 220u
#define LIST_LEN 2000u
#define TREES_PER_UNIT 60u
#define TREE_DEPTH 12


static uint32_t rng_state = 0x1234567u;
static uint32_t rnd(void) {
    uint32_t x = rng_state;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    return rng_state = x;
}

static void *xmalloc(size_t n) {
    void *p = malloc(n);
    if (!p) { fprintf(stderr, "out of memory\n"); exit(1); }
    return p;
}

/* A block stores its size and a tag at the start and a copy of the tag at
 * the end, so corruption is caught and the contents feed the checksum. */
typedef struct { uint32_t size, tag; } hdr;

static uint32_t block_size(void) {
    uint32_t r = rnd();
    switch (r & 15u) {
    case 0: return 4096u + (r >> 8) % 12288u;    /* large */
    case 1: case 2: return 512u + (r >> 8) % 1536u; /* medium */
    default: return 16u + (r >> 8) % 240u;        /* small */
    }
}

static uint8_t *init_block(uint8_t *p, uint32_t size, uint32_t tag) {
    hdr h = { size, tag };
    memcpy(p, &h, sizeof h);
    memcpy(p + size - 4, &tag, 4);
    for (uint32_t i = sizeof h; i + 4 < size; i += 64u) p[i] = (uint8_t)(tag + i);
    return p;
}

static uint8_t *new_block(uint32_t size, uint32_t tag) {
    return init_block(xmalloc(size), size, tag);
}

static uint32_t check_block(const uint8_t *p) {
    hdr h;
    uint32_t tail;
    memcpy(&h, p, sizeof h);
    memcpy(&tail, p + h.size - 4, 4);
    if (tail != h.tag) { printf("checksum: corrupt\n"); exit(1); }
    return h.tag * 31u + h.size;
}

typedef struct node { struct node *next; uint32_t val; } node;
typedef struct tree { struct tree *l, *r; uint32_t val; } tree;

static tree *build(int depth, uint32_t v) {
    tree *t = xmalloc(sizeof *t);
    t->val = v;
    if (depth > 0) { t->l = build(depth - 1, 2 * v); t->r = build(depth - 1, 2 * v + 1); }
    else t->l = t->r = NULL;
    return t;
}

static uint32_t walk_free(tree *t) {
    if (!t) return 0;
    uint32_t s = t->val ^ (walk_free(t->l) * 3u + walk_free(t->r));
    free(t);
    return s;
}

int main(int argc, char **argv) {
    uint32_t units = parse_units(argc, argv);
    static uint8_t *slot[SLOTS];
    uint32_t h = 2166136261u;
    uint32_t tag = 1;

    for (uint32_t u = 0; u < units; u++) {
        /* 1. random churn over the slot table */
        for (uint32_t i = 0; i < CHURN_PER_UNIT; i++) {
            uint32_t r = rnd();
            uint32_t s = r % SLOTS;
            if (slot[s] && (r >> 28) == 0) {
                /* grow or shrink in place with realloc */
                uint32_t old = check_block(slot[s]);
                h = (h ^ old) * 16777619u;
                uint32_t nsize = block_size();
                uint8_t *p = realloc(slot[s], nsize);
                if (!p) { fprintf(stderr, "out of memory\n"); return 1; }
                /* the preserved prefix must survive realloc */
                if (nsize >= 8u) {
                    hdr kept;
                    memcpy(&kept, p, sizeof kept);
                    h = (h ^ kept.tag) * 16777619u;
                }
                slot[s] = init_block(p, nsize, tag++);
                continue;
            }
            if (slot[s]) {
                h = (h ^ check_block(slot[s])) * 16777619u;
                free(slot[s]);
                slot[s] = NULL;
            }
            if ((r >> 24) & 3u) slot[s] = new_block(block_size(), tag++);
        }
        /* 2. linked lists */
        for (uint32_t l = 0; l < LISTS_PER_UNIT; l++) {
            node *head = NULL;
            for (uint32_t i = 0; i < LIST_LEN; i++) {
                node *n = xmalloc(sizeof *n);
                n->val = rnd() & 0xffffu;
                n->next = head;
                head = n;
            }
            uint32_t sum = 0;
            while (head) {
                node *next = head->next;
                sum = sum * 7u + head->val;
                free(head);
                head = next;
            }
            h = (h ^ sum) * 16777619u;
        }
        /* 3. binary trees */
        for (uint32_t t = 0; t < TREES_PER_UNIT; t++) {
            tree *root = build(TREE_DEPTH, t + u);
            h = (h ^ walk_free(root)) * 16777619u;
        }
    }
    for (uint32_t s = 0; s < SLOTS; s++) {
        if (slot[s]) {
            h = (h ^ check_block(slot[s])) * 16777619u;
            free(slot[s]);
        }
    }
    printf("checksum: %u\n", (unsigned)h);
    return 0;
}
