/* pdfclean._kernel: the per-glyph loops of the glyph stage, compiled: the text
 * trace read into glyphs (read_trace), runs of letters (merge_runs), a table
 * looked up for every glyph (lookup), the pen's direction voted (pen_moves_right),
 * marks attached to their letters (cluster_stream), the kashida repair's rows and
 * runs, cluster pieces, overprints, line bands and segments; marked content in
 * _marked.c and the MuPDF text device in _device.c, both included below.
 *
 * Optional: pdfclean works the same without it (glyphtrace.py and engines.py
 * keep the Python loops, and uses them whenever this module is missing, PDFCLEAN_PURE=1 is
 * set, or an input is not of the shape the loops below expect, when they
 * return None before changing anything). Each function is a line-for-line
 * transcription of the Python loop it replaces, named in its comment; the
 * objects it makes are the same (same class, same slot values, the float
 * objects of the text trace shared, not copied), so the output is identical
 * (tests/test_kernel.py compares both on every sample page and on generated
 * input).
 *
 * Glyph objects are slotted dataclasses: their slots are read and written at
 * the offsets their member descriptors give (resolved once by setup()), and a
 * glyph is made by the type's own allocator with every slot filled, as the
 * dataclass __init__ would fill them; that is what costs the Python loops
 * most (~1 us a glyph).
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <structmember.h>
#include <math.h>

enum { TEXT, X0, Y0, X1, Y1, BASELINE, SIZE, FONT, BOLD, SEQ, CONF, N, RIGHTWARD, PARTS, ARTIFACT, GID, NSLOTS };
static const char *slot_names[NSLOTS] = {"text", "x0", "y0", "x1", "y1", "baseline", "size", "font", "bold",
                                         "seq", "conf", "n", "rightward", "parts", "artifact", "gid"};
static Py_ssize_t off[NSLOTS];
static PyTypeObject *glyph_type, *trace_type;
static PyObject *zero, *one;

#define SLOT(o, i) (*(PyObject **)((char *)(o) + off[i]))

static void set_slot(PyObject *o, int i, PyObject *v) { /* steals nothing: v is borrowed */
    PyObject *old = SLOT(o, i);
    Py_INCREF(v);
    SLOT(o, i) = v;
    Py_XDECREF(old);
}

static int slot_offset(PyTypeObject *t, const char *name, Py_ssize_t *out) {
    PyObject *d = PyDict_GetItemString(t->tp_dict, name);
    if (d == NULL || !PyObject_TypeCheck(d, &PyMemberDescr_Type)) {
        PyErr_Format(PyExc_TypeError, "%s.%s is not a slot", t->tp_name, name);
        return -1;
    }
    PyMemberDef *m = ((PyMemberDescrObject *)d)->d_member;
    if (m->type != T_OBJECT_EX) {
        PyErr_Format(PyExc_TypeError, "%s.%s is not an object slot", t->tp_name, name);
        return -1;
    }
    *out = m->offset;
    return 0;
}

/* setup(Glyph, TraceGlyph): the slot offsets (TraceGlyph adds ``gid``). */
static PyObject *setup(PyObject *self, PyObject *args) {
    PyTypeObject *g, *t;
    if (!PyArg_ParseTuple(args, "O!O!", &PyType_Type, &g, &PyType_Type, &t)) return NULL;
    if (!PyType_IsSubtype(t, g)) return PyErr_Format(PyExc_TypeError, "TraceGlyph must derive from Glyph");
    for (int i = 0; i < GID; i++)
        if (slot_offset(g, slot_names[i], &off[i]) < 0) return NULL;
    if (slot_offset(t, slot_names[GID], &off[GID]) < 0) return NULL;
    Py_XSETREF(glyph_type, (PyTypeObject *)Py_NewRef(g));
    Py_XSETREF(trace_type, (PyTypeObject *)Py_NewRef(t));
    Py_RETURN_NONE;
}

/* A new glyph of type ``t`` with the dataclass defaults (font "", bold False,
 * seq 0, conf None, n 1, rightward False, parts None, artifact None). */
static PyObject *new_glyph(PyTypeObject *t, PyObject *text, PyObject *x0, PyObject *y0, PyObject *x1, PyObject *y1,
                           PyObject *baseline, PyObject *size, PyObject *font, PyObject *bold) {
    PyObject *g = t->tp_alloc(t, 0);
    if (g == NULL) return NULL;
    PyObject *v[GID] = {text, x0, y0, x1, y1, baseline, size, font, bold, zero, Py_None, one, Py_False, Py_None,
                        Py_None};
    for (int i = 0; i < GID; i++) SLOT(g, i) = Py_NewRef(v[i]);
    return g;
}

/* A number as the Python loop would use it, or -1 with no error set when it is
 * not a float (nor an int a double holds exactly): the caller falls back. */
static int as_double(PyObject *o, double *d) {
    if (PyFloat_CheckExact(o)) {
        *d = PyFloat_AS_DOUBLE(o);
        return 0;
    }
    if (PyLong_CheckExact(o)) {
        int overflow;
        long long v = PyLong_AsLongLongAndOverflow(o, &overflow);
        if (!overflow && v > -(1LL << 53) && v < (1LL << 53)) {
            *d = (double)v;
            return 0;
        }
    }
    return -1;
}

static int is_char(PyObject *c) { /* (int, int, (x, y), (x0, y0, x1, y1)) */
    if (!PyTuple_CheckExact(c) || PyTuple_GET_SIZE(c) != 4) return 0;
    PyObject *o = PyTuple_GET_ITEM(c, 2), *b = PyTuple_GET_ITEM(c, 3);
    if (!PyLong_CheckExact(PyTuple_GET_ITEM(c, 0)) || !PyLong_CheckExact(PyTuple_GET_ITEM(c, 1))) return 0;
    if (!PyTuple_CheckExact(o) || PyTuple_GET_SIZE(o) != 2 || !PyTuple_CheckExact(b) || PyTuple_GET_SIZE(b) != 4)
        return 0;
    for (int i = 0; i < 4; i++)
        if (!PyFloat_CheckExact(PyTuple_GET_ITEM(b, i))) return 0;
    return 1;
}

/* The inner loop of glyphtrace.span_glyphs over one span's chars (already
 * checked by is_char): appends its TraceGlyphs to ``glyphs`` and the glyphs to
 * ask the font about to ``fix``, counts in ``*outside`` the non-space
 * characters drawn outside the page. -1: an error is set. */
static int span_loop(PyObject **items, Py_ssize_t n, PyObject *glyphs, PyObject *fix, PyObject *span, PyObject *size,
                     PyObject *font, PyObject *bold, int inside, double W, double H, const unsigned char *table,
                     Py_ssize_t tlen, PyObject *chars_of, long *outside) {
    int kept = 0;
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *c = items[i], *b = PyTuple_GET_ITEM(c, 3);
        long long uc = PyLong_AsLongLong(PyTuple_GET_ITEM(c, 0));
        long long gid = PyLong_AsLongLong(PyTuple_GET_ITEM(c, 1));
        if (PyErr_Occurred()) return -1;
        long long at = uc < 0 ? uc + tlen : uc; /* odd[uc]: a bytes index */
        if (at < 0 || at >= tlen) {
            PyErr_SetString(PyExc_IndexError, "index out of range");
            return -1;
        }
        double x0 = PyFloat_AS_DOUBLE(PyTuple_GET_ITEM(b, 0)), y0 = PyFloat_AS_DOUBLE(PyTuple_GET_ITEM(b, 1));
        double x1 = PyFloat_AS_DOUBLE(PyTuple_GET_ITEM(b, 2)), y1 = PyFloat_AS_DOUBLE(PyTuple_GET_ITEM(b, 3));
        if (table[at]) { /* no character, U+FFFD, private use, a control: ask the font */
            if (uc <= 0) continue;
            if (gid != -1) kept = inside || (x1 >= 0 && x0 <= W && y1 >= 0 && y0 <= H);
            if (kept) {
                PyObject *e = Py_BuildValue("(nLO)", PyList_GET_SIZE(glyphs) - (gid == -1), gid, span);
                if (e == NULL || PyList_Append(fix, e) < 0) {
                    Py_XDECREF(e);
                    return -1;
                }
                Py_DECREF(e);
            }
        }
        if (gid == -1) { /* more characters of the previous glyph */
            if (kept) {
                Py_ssize_t last = PyList_GET_SIZE(glyphs) - 1;
                if (last < 0) {
                    PyErr_SetString(PyExc_IndexError, "list index out of range");
                    return -1;
                }
                PyObject *g = PyList_GET_ITEM(glyphs, last); /* made here: a TraceGlyph */
                PyObject *ch = PyUnicode_FromOrdinal((int)uc);
                if (ch == NULL) return -1;
                PyObject *t = PyUnicode_Concat(SLOT(g, TEXT), ch);
                Py_DECREF(ch);
                if (t == NULL) return -1;
                Py_SETREF(SLOT(g, TEXT), t);
            } else if (!Py_UNICODE_ISSPACE((Py_UCS4)uc))
                (*outside)++;
            continue;
        }
        kept = inside || (x1 >= 0 && x0 <= W && y1 >= 0 && y0 <= H);
        if (kept) {
            PyObject *key = PyTuple_GET_ITEM(c, 0);
            PyObject *text = PyDict_GetItemWithError(chars_of, key); /* borrowed */
            if (text == NULL) {
                if (PyErr_Occurred()) return -1;
                PyObject *made = PyUnicode_FromOrdinal((int)uc);
                if (made == NULL || PyDict_SetItem(chars_of, key, made) < 0) {
                    Py_XDECREF(made);
                    return -1;
                }
                text = made;
                Py_DECREF(made); /* the table holds it */
            }
            PyObject *g = new_glyph(trace_type, text, PyTuple_GET_ITEM(b, 0), PyTuple_GET_ITEM(b, 1),
                                    PyTuple_GET_ITEM(b, 2), PyTuple_GET_ITEM(b, 3),
                                    PyTuple_GET_ITEM(PyTuple_GET_ITEM(c, 2), 1), size, font, bold);
            if (g == NULL) return -1;
            SLOT(g, GID) = Py_NewRef(PyTuple_GET_ITEM(c, 1));
            int r = PyList_Append(glyphs, g);
            Py_DECREF(g);
            if (r < 0) return -1;
        } else if (!Py_UNICODE_ISSPACE((Py_UCS4)uc))
            (*outside)++;
    }
    return 0;
}

static PyObject *k_dir, *k_chars, *k_size, *k_bbox, *k_type, *k_font, *k_flags, *k_wmode;

/* span[key] when span is a plain dict holding it; NULL (no error) otherwise. */
static PyObject *item(PyObject *span, PyObject *key) {
    return PyDict_CheckExact(span) ? PyDict_GetItemWithError(span, key) : NULL;
}

/* The spans seen so far on a page, for glyphtrace.read_trace's text-drawn-twice
 * check: each span's glyph count and box (x0, y0, x1), filed under its
 * (count, column, row) grid cell (quirks._cells's keys), in C rather than in
 * the Python loop's dict of lists. ``slot`` is an open-addressing table of
 * cells, each holding the newest box filed there; ``next`` chains a cell's
 * boxes. */
typedef struct {
    Py_ssize_t count;
    long long cx, cy;
    double b0, b1, b2;
    int next; /* the box filed before it in its cell, or -1 */
} TwiceBox;

typedef struct {
    TwiceBox *box;
    int n, cap;
    int *slot; /* -1: empty, else the newest box of a cell */
    int nslot; /* a power of two, or 0 before the first box */
} TwiceGrid;

static void grid_free(TwiceGrid *g) {
    PyMem_Free(g->box);
    PyMem_Free(g->slot);
    memset(g, 0, sizeof *g);
}

static size_t grid_hash(Py_ssize_t count, long long cx, long long cy) {
    unsigned long long h = (unsigned long long)count * 0x9E3779B97F4A7C15ULL;
    h ^= (unsigned long long)cx * 0xC2B2AE3D27D4EB4FULL + (h << 6) + (h >> 2);
    h ^= (unsigned long long)cy * 0x165667B19E3779F9ULL + (h << 6) + (h >> 2);
    h ^= h >> 29;
    return (size_t)h;
}

/* The slot of cell (count, cx, cy): the one holding its boxes, or the empty one where it would go. */
static int *grid_slot(const TwiceGrid *g, Py_ssize_t count, long long cx, long long cy) {
    size_t mask = (size_t)g->nslot - 1;
    for (size_t i = grid_hash(count, cx, cy) & mask;; i = (i + 1) & mask) {
        int *s = &g->slot[i];
        if (*s < 0) return s;
        const TwiceBox *b = &g->box[*s];
        if (b->count == count && b->cx == cx && b->cy == cy) return s;
    }
}

/* Room for one more box, the table at most half full: 0, or -1 (memory error set). */
static int grid_room(TwiceGrid *g) {
    if (g->n == g->cap) {
        int cap = g->cap ? 2 * g->cap : 64;
        TwiceBox *b = PyMem_Realloc(g->box, (size_t)cap * sizeof *b);
        if (b == NULL) return PyErr_NoMemory(), -1;
        g->box = b, g->cap = cap;
    }
    if (2 * (g->n + 1) > g->nslot) { /* (every box could start a cell) */
        int nslot = g->nslot ? 2 * g->nslot : 128;
        int *old = g->slot, oldn = g->nslot;
        if ((g->slot = PyMem_Malloc((size_t)nslot * sizeof *g->slot)) == NULL) {
            g->slot = old;
            return PyErr_NoMemory(), -1;
        }
        g->nslot = nslot;
        for (int i = 0; i < nslot; i++) g->slot[i] = -1;
        for (int i = 0; i < oldn; i++)
            if (old[i] >= 0) {
                const TwiceBox *b = &g->box[old[i]];
                *grid_slot(g, b->count, b->cx, b->cy) = old[i];
            }
        PyMem_Free(old);
    }
    return 0;
}

/* Is a span like this one (same glyph count, box within ``tol``) filed near it
 * (in its cell or the three next to it on the near sides)? Files it.
 * glyphtrace.read_trace's text-drawn-twice check, transcribed: 1 yes, 0 no,
 * -1 memory error, -2 fall back (a box the grid cannot place). */
static int seen_twice(TwiceGrid *g, Py_ssize_t count, double b0, double b1, double b2, double tol) {
    double fx = b0 / tol, fy = b1 / tol;
    if (!(fabs(fx) < 1e15 && fabs(fy) < 1e15)) return -2; /* int() of a huge or non-finite cell: Python's path */
    long long cx = (long long)floor(fx), cy = (long long)floor(fy);
    long long dx = fx - (double)cx >= 0.5 ? 1 : -1, dy = fy - (double)cy >= 0.5 ? 1 : -1;
    long long xs[4] = {cx, cx + dx, cx, cx + dx}, ys[4] = {cy, cy, cy + dy, cy + dy};
    if (grid_room(g) < 0) return -1;
    int found = 0;
    for (int k = 0; k < 4 && !found; k++)
        for (int j = *grid_slot(g, count, xs[k], ys[k]); j >= 0 && !found; j = g->box[j].next) {
            const TwiceBox *o = &g->box[j];
            found = fabs(o->b0 - b0) < tol && fabs(o->b1 - b1) < tol && fabs(o->b2 - b2) < tol;
        }
    int *s = grid_slot(g, count, cx, cy);
    g->box[g->n] = (TwiceBox){count, cx, cy, b0, b1, b2, *s};
    *s = g->n++;
    return found;
}

static int is_box(PyObject *b) {
    if (!PyTuple_CheckExact(b) || PyTuple_GET_SIZE(b) != 4) return 0;
    for (int i = 0; i < 4; i++)
        if (!PyFloat_CheckExact(PyTuple_GET_ITEM(b, i))) return 0;
    return 1;
}

/* read_trace(trace, W, H, odd, chars_of, bold_name) -> (glyphs, fix, turned, outside, maybe_twice) | None
 *
 * glyphtrace.read_trace, transcribed; None when a span or char is not of
 * MuPDF's shape (the Python loop then reads the page, from the start: nothing
 * but the two caches ``chars_of`` and ``bold_name`` has been touched). */
static PyObject *read_trace(PyObject *self, PyObject *args) {
    PyObject *trace, *chars_of, *bold_name;
    double W, H;
    Py_buffer odd;
    if (trace_type == NULL) return PyErr_Format(PyExc_RuntimeError, "setup() first");
    if (!PyArg_ParseTuple(args, "O!ddy*O!O", &PyList_Type, &trace, &W, &H, &odd, &PyDict_Type, &chars_of,
                          &bold_name))
        return NULL;
    PyObject *glyphs = PyList_New(0), *fix = PyList_New(0), *result = NULL;
    TwiceGrid spans = {0};
    long turned = 0, outside = 0;
    int twice = 0, fallback = 0;
    if (glyphs == NULL || fix == NULL) goto done;
    const unsigned char *table = odd.buf;
    for (Py_ssize_t s = 0; s < PyList_GET_SIZE(trace) && !fallback; s++) {
        PyObject *span = PyList_GET_ITEM(trace, s);
        PyObject *d = item(span, k_dir), *chars = item(span, k_chars), *size = item(span, k_size);
        PyObject *bb = item(span, k_bbox), *kind = item(span, k_type), *font = item(span, k_font);
        PyObject *flags = item(span, k_flags);
        if (PyErr_Occurred()) goto done;
        double d0, d1, sz;
        if (!d || !chars || !size || !bb || !kind || !font || !flags || !PyTuple_CheckExact(d) ||
            PyTuple_GET_SIZE(d) != 2 || as_double(PyTuple_GET_ITEM(d, 0), &d0) < 0 ||
            as_double(PyTuple_GET_ITEM(d, 1), &d1) < 0 || !PyTuple_CheckExact(chars) || !is_box(bb) ||
            !PyFloat_CheckExact(size) || !PyLong_CheckExact(kind) || !PyLong_CheckExact(flags)) {
            fallback = 1;
            break;
        }
        Py_ssize_t n = PyTuple_GET_SIZE(chars);
        PyObject **items = &PyTuple_GET_ITEM(chars, 0);
        for (Py_ssize_t i = 0; i < n; i++)
            if (!is_char(items[i])) fallback = 1;
        if (fallback) break;
        if (fabs(d1) > 0.05 || d0 <= 0) { /* only horizontal, upright text */
            for (Py_ssize_t i = 0; i < n; i++) {
                long long uc = PyLong_AsLongLong(PyTuple_GET_ITEM(items[i], 0));
                if (PyErr_Occurred()) goto done;
                if (uc > 0x10FFFF) { /* chr() would raise: Python's path */
                    fallback = 1;
                    break;
                }
                if (uc > 0 && !Py_UNICODE_ISSPACE((Py_UCS4)uc)) turned++;
            }
            continue;
        }
        double b1 = PyFloat_AS_DOUBLE(PyTuple_GET_ITEM(bb, 1)), b3 = PyFloat_AS_DOUBLE(PyTuple_GET_ITEM(bb, 3));
        sz = PyFloat_AS_DOUBLE(size);
        PyObject *size_obj = size, *made_size = NULL;
        if (!(sz != 0) || sz < 1.0) { /* Type 3 fonts may report 0: use the box height */
            sz = b3 - b1 > 1.0 ? b3 - b1 : 1.0; /* max(1.0, h): 1.0 unless h is larger (NaN: 1.0) */
            made_size = size_obj = PyFloat_FromDouble(sz);
            if (made_size == NULL) goto done;
        }
        long long k = PyLong_AsLongLong(kind);
        long long fl = PyLong_AsLongLong(flags);
        if (PyErr_Occurred()) {
            Py_XDECREF(made_size);
            goto done;
        }
        if (!twice) { /* text drawn twice? (stroked copy, shadow): checked per span */
            if (k == 1)
                twice = 1;
            else {
                int r = seen_twice(&spans, n, PyFloat_AS_DOUBLE(PyTuple_GET_ITEM(bb, 0)), b1,
                                   PyFloat_AS_DOUBLE(PyTuple_GET_ITEM(bb, 2)), 0.12 * sz);
                if (r == -2) fallback = 1;
                if (r < 0) {
                    Py_XDECREF(made_size);
                    if (fallback) break;
                    goto done;
                }
                twice = r;
            }
        }
        int bold = (fl & 16) != 0;
        if (!bold) {
            PyObject *v = PyObject_GetItem(bold_name, font);
            if (v == NULL) {
                Py_XDECREF(made_size);
                goto done;
            }
            bold = PyObject_IsTrue(v);
            Py_DECREF(v);
            if (bold < 0) {
                Py_XDECREF(made_size);
                goto done;
            }
            bold = bold || k == 1;
        }
        double bx0 = PyFloat_AS_DOUBLE(PyTuple_GET_ITEM(bb, 0)), bx2 = PyFloat_AS_DOUBLE(PyTuple_GET_ITEM(bb, 2));
        int inside = bx0 >= 0 && b1 >= 0 && bx2 <= W && b3 <= H;
        int r = span_loop(items, n, glyphs, fix, span, size_obj, font, bold ? Py_True : Py_False, inside, W, H, table,
                          odd.len, chars_of, &outside);
        Py_XDECREF(made_size);
        if (r < 0) goto done;
    }
    if (fallback)
        result = Py_NewRef(Py_None);
    else
        result = Py_BuildValue("(OOllO)", glyphs, fix, turned, outside, twice ? Py_True : Py_False);
done:
    Py_XDECREF(glyphs);
    Py_XDECREF(fix);
    grid_free(&spans);
    PyBuffer_Release(&odd);
    return result;
}

/* Could glyph ``g`` be read as the Python loop reads it (every slot it reads set, numbers plain)? */
static int readable(PyObject *g) {
    PyTypeObject *t = Py_TYPE(g);  /* (a Glyph or a TraceGlyph first: no walk of the MRO) */
    if (t != glyph_type && t != trace_type && !PyType_IsSubtype(t, glyph_type)) return 0;
    PyObject *text = SLOT(g, TEXT);
    if (text == NULL || !PyUnicode_CheckExact(text) || SLOT(g, FONT) == NULL || SLOT(g, BOLD) == NULL ||
        SLOT(g, SEQ) == NULL || SLOT(g, ARTIFACT) == NULL)
        return 0;
    double d;
    for (int i = X0; i <= SIZE; i++) {
        PyObject *v = SLOT(g, i);
        if (v == NULL || (!PyFloat_CheckExact(v) && as_double(v, &d) < 0)) return 0;
    }
    return 1;
}

static int equal(PyObject *a, PyObject *b) { return a == b ? 1 : PyObject_RichCompareBool(a, b, Py_EQ); }

static inline double num(PyObject *o) { /* checked by readable() */
    if (PyFloat_CheckExact(o)) return PyFloat_AS_DOUBLE(o);
    double d = 0;
    as_double(o, &d);
    return d;
}

static int close_run(PyObject *run, long n, PyObject *y0, PyObject *y1) { /* run.n, run.y0, run.y1 = n, y0, y1 */
    PyObject *v = PyLong_FromLong(n);
    if (v == NULL) return -1;
    Py_SETREF(SLOT(run, N), v);
    set_slot(run, Y0, y0);
    set_slot(run, Y1, y1);
    return 0;
}

/* merge_runs(glyphs, letters, run_gap_em) -> list | None: engines.merge_runs,
 * transcribed (None, nothing changed, when a glyph is not readable). */
static PyObject *merge_runs(PyObject *self, PyObject *args) {
    PyObject *glyphs, *letters;
    double gap_em;
    if (glyph_type == NULL) return PyErr_Format(PyExc_RuntimeError, "setup() first");
    if (!PyArg_ParseTuple(args, "O!O!d", &PyList_Type, &glyphs, &PyDict_Type, &letters, &gap_em)) return NULL;
    Py_ssize_t count = PyList_GET_SIZE(glyphs);
    for (Py_ssize_t k = 0; k < count; k++)
        if (!readable(PyList_GET_ITEM(glyphs, k))) Py_RETURN_NONE;
    PyObject *out = PyList_New(0);
    if (out == NULL) return NULL;
    PyObject *run = NULL;                    /* borrowed: out holds it */
    int right = -1;                          /* -1: one letter so far (None) */
    PyObject *lo = NULL, *hi = NULL, *y0 = NULL, *y1 = NULL; /* borrowed from glyphs that out or parts hold */
    double dlo = 0, dhi = 0, dy0 = 0, dy1 = 0, tol = 0;
    long n = 0;
    PyObject *base = NULL, *size = NULL, *font = NULL, *bold = NULL;
    for (Py_ssize_t k = 0; k < count; k++) {
        PyObject *g = PyList_GET_ITEM(glyphs, k);
        PyObject *seq = PyLong_FromSsize_t(k);
        if (seq == NULL) goto fail;
        Py_XSETREF(SLOT(g, SEQ), seq);
        PyObject *text = SLOT(g, TEXT);
        PyObject *is = PyDict_GetItemWithError(letters, text);
        int letter;
        if (is != NULL)
            letter = PyObject_IsTrue(is);
        else if (PyErr_Occurred())
            goto fail;
        else { /* the table's __missing__ works it out */
            PyObject *v = PyObject_GetItem(letters, text);
            if (v == NULL) goto fail;
            letter = PyObject_IsTrue(v);
            Py_DECREF(v);
        }
        if (letter < 0) goto fail;
        if (!letter) {
            if (right != -1 && close_run(run, n, y0, y1) < 0) goto fail;
            if (PyList_Append(out, g) < 0) goto fail;
            run = NULL, right = -1;
            continue;
        }
        if (run != NULL) {
            int same = num(SLOT(g, BASELINE)) == num(base) && num(SLOT(g, SIZE)) == num(size);
            if (same) same = equal(SLOT(g, FONT), font);
            if (same > 0) same = equal(SLOT(g, BOLD), bold);
            if (same > 0) same = equal(SLOT(g, ARTIFACT), SLOT(run, ARTIFACT));
            if (same < 0) goto fail;
            if (same) {
                double gx0 = num(SLOT(g, X0)), gx1 = num(SLOT(g, X1)), d;
                int step = -1;
                if (right != 0 && -3 * tol < (d = gx0 - dhi) && d < tol)
                    step = 1; /* drawn left to right: g reads first */
                else if (right != 1 && -3 * tol < (d = dlo - gx1) && d < tol)
                    step = 0;
                if (step != -1) {
                    if (right == -1) { /* the run's second letter: grow a copy of the first */
                        PyObject *copy = new_glyph(glyph_type, SLOT(run, TEXT), lo, y0, hi, y1, base, size, font,
                                                   bold);
                        if (copy == NULL) goto fail;
                        set_slot(copy, SEQ, SLOT(run, SEQ));
                        set_slot(copy, RIGHTWARD, step ? Py_True : Py_False);
                        PyObject *parts = PyList_New(1);
                        if (parts == NULL) {
                            Py_DECREF(copy);
                            goto fail;
                        }
                        PyList_SET_ITEM(parts, 0, Py_NewRef(run));
                        Py_SETREF(SLOT(copy, PARTS), parts);
                        set_slot(copy, ARTIFACT, SLOT(run, ARTIFACT));
                        /* out[-1] = copy (the old run stays alive in parts) */
                        PyList_SetItem(out, PyList_GET_SIZE(out) - 1, copy);
                        run = copy;
                        right = step;
                    }
                    PyObject *parts = SLOT(run, PARTS);
                    if (parts == NULL || !PyList_Check(parts) || PyList_Append(parts, g) < 0) {
                        if (!PyErr_Occurred()) PyErr_SetString(PyExc_TypeError, "a run's parts are not a list");
                        goto fail;
                    }
                    PyObject *t = step ? PyUnicode_Concat(SLOT(g, TEXT), SLOT(run, TEXT))
                                       : PyUnicode_Concat(SLOT(run, TEXT), SLOT(g, TEXT));
                    if (t == NULL) goto fail;
                    Py_SETREF(SLOT(run, TEXT), t);
                    if (step) {
                        if (gx1 > dhi) {
                            hi = SLOT(g, X1), dhi = gx1;
                            set_slot(run, X1, hi);
                        }
                    } else if (gx0 < dlo) {
                        lo = SLOT(g, X0), dlo = gx0;
                        set_slot(run, X0, lo);
                    }
                    n += 1;
                    double gy0 = num(SLOT(g, Y0)), gy1 = num(SLOT(g, Y1));
                    if (gy0 < dy0) y0 = SLOT(g, Y0), dy0 = gy0;
                    if (gy1 > dy1) y1 = SLOT(g, Y1), dy1 = gy1;
                    continue;
                }
            }
        }
        if (right != -1 && close_run(run, n, y0, y1) < 0) goto fail;
        if (PyList_Append(out, g) < 0) goto fail;
        run = g, right = -1, n = 1;
        lo = SLOT(g, X0), hi = SLOT(g, X1), y0 = SLOT(g, Y0), y1 = SLOT(g, Y1);
        dlo = num(lo), dhi = num(hi), dy0 = num(y0), dy1 = num(y1);
        base = SLOT(g, BASELINE), size = SLOT(g, SIZE), font = SLOT(g, FONT), bold = SLOT(g, BOLD);
        tol = gap_em * num(size);
    }
    if (right != -1 && close_run(run, n, y0, y1) < 0) goto fail;
    return out;
fail:
    Py_DECREF(out);
    return NULL;
}

/* lookup(glyphs, table) -> list: ``[table[g.text] for g in glyphs]`` (a
 * table's __missing__ works out what it does not hold yet). */
static PyObject *lookup(PyObject *self, PyObject *args) {
    PyObject *glyphs, *table;
    if (glyph_type == NULL) return PyErr_Format(PyExc_RuntimeError, "setup() first");
    if (!PyArg_ParseTuple(args, "O!O!", &PyList_Type, &glyphs, &PyDict_Type, &table)) return NULL;
    Py_ssize_t n = PyList_GET_SIZE(glyphs);
    PyObject *out = PyList_New(n);
    if (out == NULL) return NULL;
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *g = PyList_GET_ITEM(glyphs, i), *text, *v;
        if (PyObject_TypeCheck(g, glyph_type) && (text = SLOT(g, TEXT)) != NULL) {
            Py_INCREF(text);
        } else if ((text = PyObject_GetAttrString(g, "text")) == NULL)
            goto fail;
        v = PyDict_GetItemWithError(table, text);
        if (v != NULL)
            Py_INCREF(v);
        else if (!PyErr_Occurred())
            v = PyObject_GetItem(table, text);
        Py_DECREF(text);
        if (v == NULL) goto fail;
        PyList_SET_ITEM(out, i, v);
    }
    return out;
fail:
    Py_DECREF(out);
    return NULL;
}

/* texts(glyphs) -> list: ``[g.text for g in glyphs]`` */
static PyObject *texts(PyObject *self, PyObject *args) {
    PyObject *glyphs;
    if (glyph_type == NULL) return PyErr_Format(PyExc_RuntimeError, "setup() first");
    if (!PyArg_ParseTuple(args, "O!", &PyList_Type, &glyphs)) return NULL;
    Py_ssize_t n = PyList_GET_SIZE(glyphs);
    PyObject *out = PyList_New(n);
    if (out == NULL) return NULL;
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *g = PyList_GET_ITEM(glyphs, i), *text;
        if (PyObject_TypeCheck(g, glyph_type) && (text = SLOT(g, TEXT)) != NULL)
            Py_INCREF(text);
        else if ((text = PyObject_GetAttrString(g, "text")) == NULL) {
            Py_DECREF(out);
            return NULL;
        }
        PyList_SET_ITEM(out, i, text);
    }
    return out;
}

static int pen_votes(PyObject *bases);

/* pen_moves_right(bases) -> bool | None: engines._pen_moves_right (None when a
 * glyph is not readable). */
static PyObject *pen_moves_right(PyObject *self, PyObject *args) {
    PyObject *bases;
    if (glyph_type == NULL) return PyErr_Format(PyExc_RuntimeError, "setup() first");
    if (!PyArg_ParseTuple(args, "O!", &PyList_Type, &bases)) return NULL;
    Py_ssize_t n = PyList_GET_SIZE(bases);
    for (Py_ssize_t i = 0; i < n; i++)
        if (!readable(PyList_GET_ITEM(bases, i))) Py_RETURN_NONE;
    return PyBool_FromLong(pen_votes(bases));
}

/* engines._pen_votes on glyphs readable() has checked */
static int pen_votes(PyObject *bases) {
    Py_ssize_t n = PyList_GET_SIZE(bases), step = n / 500 + 1;
    long right = 0, left = 0;
    for (Py_ssize_t i = 0; i + 1 < n; i += step) { /* zip(bases[::step], bases[1::step]) */
        PyObject *p = PyList_GET_ITEM(bases, i), *c = PyList_GET_ITEM(bases, i + 1);
        double ps = num(SLOT(p, SIZE));
        if (fabs(num(SLOT(p, BASELINE)) - num(SLOT(c, BASELINE))) < (ps > 1 ? 0.5 * ps : 0.5)) {
            double d = num(SLOT(c, X0)) - num(SLOT(p, X0));
            if (d > 0.01)
                right++;
            else if (d < -0.01)
                left++;
        }
    }
    return right >= left;
}

typedef struct {
    double centre;
    Py_ssize_t index;
} Placed;

static int by_centre(const void *a, const void *b) { /* (centre, index): a stable sort by centre */
    const Placed *x = a, *y = b;
    if (x->centre != y->centre) return x->centre < y->centre ? -1 : 1;
    return (x->index > y->index) - (x->index < y->index);
}

/* kashida_rows(glyphs, kinds, cands, space) -> [(row, at, spaced), ...] | None:
 * quirks._kashida_rows, transcribed (None when a glyph is not readable or a
 * baseline or centre is not finite: the Python function handles those). */
static PyObject *kashida_rows(PyObject *self, PyObject *args) {
    PyObject *glyphs, *cands;
    Py_buffer kinds;
    int space;
    if (glyph_type == NULL) return PyErr_Format(PyExc_RuntimeError, "setup() first");
    if (!PyArg_ParseTuple(args, "O!y*O!i", &PyList_Type, &glyphs, &kinds, &PyList_Type, &cands, &space)) return NULL;
    Py_ssize_t n = PyList_GET_SIZE(glyphs), nc = PyList_GET_SIZE(cands);
    const unsigned char *kind = kinds.buf;
    PyObject *result = NULL;
    double *base = NULL, *centre = NULL, *keys = NULL;
    Py_ssize_t *cand = NULL, *rowlen = NULL, *ofs = NULL, *members = NULL, *fill = NULL;
    char *spaced = NULL;
    Placed *tmp = NULL;
    if (kinds.len != n) {
        result = Py_NewRef(Py_None);
        goto done;
    }
    base = PyMem_Malloc(sizeof(double) * (n + 1));
    centre = PyMem_Malloc(sizeof(double) * (n + 1));
    cand = PyMem_Malloc(sizeof(Py_ssize_t) * (nc + 1));
    if (!base || !centre || !cand) {
        PyErr_NoMemory();
        goto done;
    }
    double sum = 0;
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *g = PyList_GET_ITEM(glyphs, i);
        if (!readable(g)) {
            result = Py_NewRef(Py_None);
            goto done;
        }
        base[i] = num(SLOT(g, BASELINE));
        centre[i] = num(SLOT(g, X0)) + num(SLOT(g, X1));
        sum += centre[i];
        if (!isfinite(base[i]) || !isfinite(centre[i])) {
            result = Py_NewRef(Py_None);
            goto done;
        }
    }
    if (!isfinite(sum)) {
        result = Py_NewRef(Py_None);
        goto done;
    }
    /* the rows: one per distinct baseline of a candidate, in the candidates' order */
    keys = PyMem_Malloc(sizeof(double) * (nc + 1));
    Py_ssize_t nrows = 0;
    if (!keys) {
        PyErr_NoMemory();
        goto done;
    }
    for (Py_ssize_t c = 0; c < nc; c++) {
        Py_ssize_t k = PyLong_AsSsize_t(PyList_GET_ITEM(cands, c));
        if (k == -1 && PyErr_Occurred()) goto done;
        if (k < 0 || k >= n) {
            result = Py_NewRef(Py_None);
            goto done;
        }
        if (c > 0 && k <= cand[c - 1]) { /* (finditer's order: rising) */
            result = Py_NewRef(Py_None);
            goto done;
        }
        cand[c] = k;
        Py_ssize_t r = 0;
        while (r < nrows && keys[r] != base[k]) r++;
        if (r == nrows) keys[nrows++] = base[k];
    }
    rowlen = PyMem_Calloc(nrows + 1, sizeof(Py_ssize_t));
    spaced = PyMem_Calloc(nrows + 1, 1);
    Py_ssize_t *rowof = PyMem_Malloc(sizeof(Py_ssize_t) * (n + 1)); /* each glyph's row, or -1 */
    ofs = rowof;
    if (!rowlen || !spaced || !rowof) {
        PyErr_NoMemory();
        goto done;
    }
    for (Py_ssize_t start = 0; start < n;) { /* stretches of one baseline, in drawing order */
        Py_ssize_t end = start + 1;
        while (end < n && base[end] == base[start]) end++;
        Py_ssize_t r = 0;
        while (r < nrows && keys[r] != base[start]) r++;
        for (Py_ssize_t i = start; i < end; i++) {
            rowof[i] = -1;
            if (r < nrows) {
                if (kind[i]) rowof[i] = r, rowlen[r]++;
                if (kind[i] == space) spaced[r] = 1;
            }
        }
        start = end;
    }
    fill = PyMem_Calloc(nrows + 1, sizeof(Py_ssize_t));
    Py_ssize_t *first = PyMem_Malloc(sizeof(Py_ssize_t) * (nrows + 1));
    members = PyMem_Malloc(sizeof(Py_ssize_t) * (n + 1));
    tmp = PyMem_Malloc(sizeof(Placed) * (n + 1));
    if (!fill || !first || !members || !tmp) {
        PyMem_Free(first);
        PyErr_NoMemory();
        goto done;
    }
    Py_ssize_t at = 0;
    for (Py_ssize_t r = 0; r < nrows; r++) first[r] = at, at += rowlen[r];
    for (Py_ssize_t i = 0; i < n; i++)
        if (rowof[i] >= 0) members[first[rowof[i]] + fill[rowof[i]]++] = i;
    result = PyList_New(nrows);
    if (result == NULL) {
        PyMem_Free(first);
        goto done;
    }
    for (Py_ssize_t r = 0; r < nrows; r++) {
        Py_ssize_t m = rowlen[r], *mem = members + first[r];
        for (Py_ssize_t j = 0; j < m; j++) tmp[j].centre = centre[mem[j]], tmp[j].index = mem[j];
        qsort(tmp, m, sizeof(Placed), by_centre);
        PyObject *row = PyList_New(m), *pos = PyList_New(0);
        if (row == NULL || pos == NULL) {
            Py_XDECREF(row);
            Py_XDECREF(pos);
            goto fail;
        }
        for (Py_ssize_t j = 0; j < m; j++) {
            PyObject *v = PyLong_FromSsize_t(tmp[j].index);
            if (v == NULL) {
                Py_DECREF(row);
                Py_DECREF(pos);
                goto fail;
            }
            PyList_SET_ITEM(row, j, v);
        }
        /* the row's candidates, where they stand in it (in its order) */
        for (Py_ssize_t j = 0; j < m; j++) {
            Py_ssize_t k = tmp[j].index;
            int is_cand = 0;
            if (kind[k]) /* a candidate of this row? (cands are few per row: a binary search) */
            {
                Py_ssize_t lo = 0, hi = nc;
                while (lo < hi) {
                    Py_ssize_t mid = (lo + hi) / 2;
                    if (cand[mid] < k)
                        lo = mid + 1;
                    else
                        hi = mid;
                }
                is_cand = lo < nc && cand[lo] == k;
            }
            if (is_cand) {
                PyObject *v = PyLong_FromSsize_t(j);
                if (v == NULL || PyList_Append(pos, v) < 0) {
                    Py_XDECREF(v);
                    Py_DECREF(row);
                    Py_DECREF(pos);
                    goto fail;
                }
                Py_DECREF(v);
            }
        }
        PyObject *t = Py_BuildValue("(NNO)", row, pos, spaced[r] ? Py_True : Py_False);
        if (t == NULL) goto fail;
        PyList_SET_ITEM(result, r, t);
    }
    PyMem_Free(first);
    goto done;
fail:
    PyMem_Free(first);
    Py_CLEAR(result);
done:
    PyMem_Free(base);
    PyMem_Free(centre);
    PyMem_Free(cand);
    PyMem_Free(keys);
    PyMem_Free(rowlen);
    PyMem_Free(spaced);
    PyMem_Free(ofs);
    PyMem_Free(fill);
    PyMem_Free(members);
    PyMem_Free(tmp);
    PyBuffer_Release(&kinds);
    return result;
}

/* --- the glyph-repair and script-repair stages (quirks.py, script.py) ------------------------- */

/* A glyph slot that is an int a long long holds with room to add (|v| < 2**31), or -1: decline. */
static int small_int(PyObject *g, int slot, long long *out) {
    PyObject *v = SLOT(g, slot);
    if (v == NULL || !PyLong_CheckExact(v)) return -1;
    int overflow;
    long long x = PyLong_AsLongLongAndOverflow(v, &overflow);
    if (overflow || x <= -(1LL << 31) || x >= (1LL << 31)) {
        PyErr_Clear();
        return -1;
    }
    *out = x;
    return 0;
}

/* stream_was_visual(glyphs, types) -> bool | None: script._stream_was_visual_py,
 * transcribed (None when a glyph of class R is not a Glyph with int seq and n,
 * small, and a bool rightward). */
static PyObject *stream_was_visual(PyObject *self, PyObject *args) {
    PyObject *glyphs, *types;
    if (glyph_type == NULL) return PyErr_Format(PyExc_RuntimeError, "setup() first");
    if (!PyArg_ParseTuple(args, "O!U", &PyList_Type, &glyphs, &types)) return NULL;
    Py_ssize_t n = PyList_GET_SIZE(glyphs), nt = PyUnicode_GET_LENGTH(types);
    if (nt < n) n = nt;
    int kind = PyUnicode_KIND(types);
    const void *data = PyUnicode_DATA(types);
    long long up = 0, pairs = 0, prev_right = 0;
    int have_prev = 0;
    for (Py_ssize_t i = 0; i < n; i++) {
        if (PyUnicode_READ(kind, data, i) != 'R') continue;
        PyObject *g = PyList_GET_ITEM(glyphs, i);
        long long seq, cnt;
        if (!PyObject_TypeCheck(g, glyph_type) || small_int(g, SEQ, &seq) < 0 || small_int(g, N, &cnt) < 0)
            Py_RETURN_NONE;
        PyObject *rw = SLOT(g, RIGHTWARD);
        if (rw != Py_True && rw != Py_False) Py_RETURN_NONE;
        long long last = seq + cnt - 1, left, right;
        if (rw == Py_True) {
            left = seq, right = last;
            up += cnt - 1;
        } else {
            left = last, right = seq;
        }
        pairs += cnt - 1;
        if (have_prev) {
            pairs += 1;
            up += left > prev_right;
        }
        prev_right = right, have_prev = 1;
    }
    return PyBool_FromLong(up * 2 > pairs && pairs > 0);
}

/* piece_pairs(texts, marks) -> (same, two_marks) | None: quirks._piece_pairs_py,
 * transcribed: the indexes i where texts i and i + 1 start with one character
 * (an empty text counting as "\0"), and where both start with a mark
 * (``marks[text]``, looked up once per first character below U+0800, where
 * it depends on nothing else). None when a text is not a str. */
static PyObject *piece_pairs(PyObject *self, PyObject *args) {
    PyObject *texts, *marks;
    if (!PyArg_ParseTuple(args, "O!O", &PyList_Type, &texts, &marks)) return NULL;
    Py_ssize_t n = PyList_GET_SIZE(texts);
    for (Py_ssize_t i = 0; i < n; i++)
        if (!PyUnicode_CheckExact(PyList_GET_ITEM(texts, i))) Py_RETURN_NONE;
    PyObject *same = PyList_New(0), *two = PyList_New(0);
    signed char memo[0x800];
    memset(memo, -1, sizeof memo);
    if (same == NULL || two == NULL) goto fail;
    Py_UCS4 prev = 0;
    int prev_mark = 0;
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *t = PyList_GET_ITEM(texts, i);
        Py_UCS4 c = PyUnicode_GET_LENGTH(t) ? PyUnicode_READ_CHAR(t, 0) : 0;
        int mark;
        if (c < 0x800 && memo[c] >= 0) {
            mark = memo[c];
        } else {
            PyObject *v = PyObject_GetItem(marks, t);
            if (v == NULL) goto fail;
            mark = PyObject_IsTrue(v);
            Py_DECREF(v);
            if (mark < 0) goto fail;
            if (c < 0x800) memo[c] = (signed char)mark;
        }
        if (i > 0) {
            PyObject *at = NULL;
            if ((c == prev) || (mark && prev_mark)) {
                at = PyLong_FromSsize_t(i - 1);
                if (at == NULL) goto fail;
            }
            if (c == prev && PyList_Append(same, at) < 0) {
                Py_DECREF(at);
                goto fail;
            }
            if (mark && prev_mark && PyList_Append(two, at) < 0) {
                Py_DECREF(at);
                goto fail;
            }
            Py_XDECREF(at);
        }
        prev = c, prev_mark = mark;
    }
    return Py_BuildValue("(NN)", same, two);
fail:
    Py_XDECREF(same);
    Py_XDECREF(two);
    return NULL;
}

/* One grid cell of fold_overprints: its key (text, column, row) and the kept glyphs in it, in
 * drawing order (a chain through ``next`` of their indexes). */
typedef struct {
    PyObject *text; /* NULL: an empty slot */
    Py_hash_t hash;
    long long cx, cy;
    Py_ssize_t head, tail;
} Cell;

static Py_hash_t cell_hash(Py_hash_t th, long long cx, long long cy) {
    unsigned long long h = (unsigned long long)th;
    h = (h ^ (unsigned long long)cx) * 0x9E3779B97F4A7C15ULL;
    h = (h ^ (unsigned long long)cy) * 0xC2B2AE3D27D4EB4FULL;
    return (Py_hash_t)(h ^ (h >> 29));
}

/* The cell (text, cx, cy) of ``cells`` (``mask + 1`` slots), or the empty slot where it goes;
 * NULL with an error set when comparing two texts failed. */
static Cell *find_cell(Cell *cells, size_t mask, PyObject *text, Py_hash_t th, long long cx, long long cy) {
    size_t i = (size_t)cell_hash(th, cx, cy) & mask;
    for (;; i = (i + 1) & mask) {
        Cell *c = cells + i;
        if (c->text == NULL) return c;
        if (c->hash == th && c->cx == cx && c->cy == cy) {
            int eq = c->text == text ? 1 : PyUnicode_Compare(c->text, text) == 0;
            if (eq) return c;
            if (PyErr_Occurred()) return NULL;
        }
    }
}

/* fold_overprints(glyphs, em) -> (kept, dropped) | None: quirks._fold_overprints_py,
 * transcribed: the same grid of cells, keyed (text, column, row), each holding
 * the glyphs kept there in drawing order (a hash table here, a dict there).
 * None, nothing changed, when a glyph is not a Glyph with a str text, float x0,
 * x1, baseline and size, a bool bold, and a grid cell Python's floor() gives
 * (finite, under 4e18 cells from 0). */
static PyObject *fold_overprints(PyObject *self, PyObject *args) {
    PyObject *glyphs;
    double em;
    if (glyph_type == NULL) return PyErr_Format(PyExc_RuntimeError, "setup() first");
    if (!PyArg_ParseTuple(args, "O!d", &PyList_Type, &glyphs, &em)) return NULL;
    Py_ssize_t n = PyList_GET_SIZE(glyphs);
    static const int need[] = {TEXT, X0, X1, BASELINE, SIZE, BOLD};
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *g = PyList_GET_ITEM(glyphs, i);
        if (!PyObject_TypeCheck(g, glyph_type)) Py_RETURN_NONE;
        for (size_t k = 0; k < sizeof need / sizeof *need; k++)
            if (SLOT(g, need[k]) == NULL) Py_RETURN_NONE;
        if (!PyUnicode_CheckExact(SLOT(g, TEXT)) || (SLOT(g, BOLD) != Py_True && SLOT(g, BOLD) != Py_False))
            Py_RETURN_NONE;
        for (int k = X0; k <= SIZE; k++)
            if (k != Y0 && k != Y1 && !PyFloat_CheckExact(SLOT(g, k))) Py_RETURN_NONE;
        double size = PyFloat_AS_DOUBLE(SLOT(g, SIZE)), tol;
        size = size > 1 ? size : 1.0;
        tol = em * size;
        double fx = PyFloat_AS_DOUBLE(SLOT(g, X0)) / tol, fy = PyFloat_AS_DOUBLE(SLOT(g, BASELINE)) / tol;
        if (!isfinite(fx) || !isfinite(fy) || fabs(fx) >= 4e18 || fabs(fy) >= 4e18) Py_RETURN_NONE;
    }
    size_t cap = 8;
    while (cap < 2 * (size_t)n + 2) cap <<= 1;
    Cell *cells = PyMem_Calloc(cap, sizeof(Cell));
    Py_ssize_t *next = PyMem_Malloc(sizeof(Py_ssize_t) * (n + 1));
    PyObject *out = PyList_New(0);
    Py_ssize_t dropped = 0;
    if (cells == NULL || next == NULL || out == NULL) {
        if (out != NULL) PyErr_NoMemory();
        goto fail;
    }
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *g = PyList_GET_ITEM(glyphs, i), *text = SLOT(g, TEXT);
        Py_hash_t th = PyObject_Hash(text);
        if (th == -1) goto fail;
        double gx0 = PyFloat_AS_DOUBLE(SLOT(g, X0)), gx1 = PyFloat_AS_DOUBLE(SLOT(g, X1));
        double gb = PyFloat_AS_DOUBLE(SLOT(g, BASELINE)), gs = PyFloat_AS_DOUBLE(SLOT(g, SIZE));
        double size = gs > 1 ? gs : 1.0, tol = em * size;
        double fx = gx0 / tol, fy = gb / tol, flx = floor(fx), fly = floor(fy);
        long long cx = (long long)flx, cy = (long long)fly;
        long long dx = fx - flx >= 0.5 ? cx + 1 : cx - 1, dy = fy - fly >= 0.5 ? cy + 1 : cy - 1;
        long long cols[4] = {cx, dx, cx, dx}, rows[4] = {cy, cy, dy, dy};
        Cell *own = NULL;
        PyObject *first = NULL;
        for (int c = 0; c < 4 && first == NULL; c++) {
            Cell *cell = find_cell(cells, cap - 1, text, th, cols[c], rows[c]);
            if (cell == NULL) goto fail;
            if (c == 0) own = cell;
            if (cell->text == NULL) continue;
            for (Py_ssize_t j = cell->head; j >= 0; j = next[j]) {
                PyObject *o = PyList_GET_ITEM(glyphs, j);
                double ox0 = PyFloat_AS_DOUBLE(SLOT(o, X0)), ox1 = PyFloat_AS_DOUBLE(SLOT(o, X1));
                if (fabs(ox0 - gx0) < tol && fabs(PyFloat_AS_DOUBLE(SLOT(o, BASELINE)) - gb) < tol &&
                    fabs(PyFloat_AS_DOUBLE(SLOT(o, SIZE)) - gs) <= 0.05 * size && fabs(ox1 - ox0 - (gx1 - gx0)) < tol) {
                    first = o;
                    break;
                }
            }
        }
        if (first != NULL) {
            dropped++;
            if (SLOT(g, BOLD) == Py_True) set_slot(first, BOLD, Py_True);
            continue;
        }
        next[i] = -1;
        if (own->text == NULL) {
            own->text = text, own->hash = th, own->cx = cx, own->cy = cy, own->head = i;
        } else {
            next[own->tail] = i;
        }
        own->tail = i;
        if (PyList_Append(out, g) < 0) goto fail;
    }
    PyMem_Free(cells);
    PyMem_Free(next);
    return Py_BuildValue("(Nn)", out, dropped);
fail:
    PyMem_Free(cells);
    PyMem_Free(next);
    Py_XDECREF(out);
    return NULL;
}

/* --- end of the glyph-repair and script-repair block ------------------------------------------ */
/* ---- line building: pdfclean.lines._bands_py (line_bands) and pdfclean.lines._segments
 * (line_segments), transcribed. Both return None, before changing anything, when a glyph is not
 * of the shape they read: a Glyph with every slot they read set, text a str, coordinates and size
 * finite floats (or ints below 2**50, whose sums a double holds exactly), bold a bool, n an int in
 * 1..2**20 and, for n > 1, parts a list of such glyphs with n == 1. Sorts are stable sorts on the
 * same doubles the Python keys hold, every sum and product is done in the Python's order, and
 * min/max/median keep the very objects the Python would keep (the first of equal values). */

static PyTypeObject *vline_type;
enum { VL_GLYPHS, VL_X0, VL_Y0, VL_X1, VL_Y1, VL_SIZE, VL_BOLD, VL_UNMAPPED, VL_ORPHANS, VL_ORPHAN_CHARS,
       VL_ARTIFACT, VL_BASELINE, VL_NSLOTS };
static const char *vl_names[VL_NSLOTS] = {"glyphs", "x0", "y0", "x1", "y1", "size", "bold", "unmapped",
                                          "orphans", "orphan_chars", "artifact", "baseline"};
static Py_ssize_t vl_off[VL_NSLOTS];
static PyObject *ln_space; /* " " */

#define VSLOT(o, i) (*(PyObject **)((char *)(o) + vl_off[i]))

/* lines_setup(VisualLine): its slots' offsets. */
static PyObject *lines_setup(PyObject *self, PyObject *args) {
    PyTypeObject *t;
    if (!PyArg_ParseTuple(args, "O!", &PyType_Type, &t)) return NULL;
    for (int i = 0; i < VL_NSLOTS; i++)
        if (slot_offset(t, vl_names[i], &vl_off[i]) < 0) return NULL;
    if (ln_space == NULL && (ln_space = PyUnicode_FromString(" ")) == NULL) return NULL;
    Py_XSETREF(vline_type, (PyTypeObject *)Py_NewRef(t));
    Py_RETURN_NONE;
}

typedef struct {
    PyObject *g; /* borrowed (the band, a run's parts or the line's list holds it) */
    double x0, y0, x1, y1, base, size, key;
    long n;
    Py_ssize_t index;
    char space, latin, bold, synth; /* synth: a word space made here */
} LnGlyph;

typedef struct {
    double v;
    Py_ssize_t index;
    PyObject *obj;
} LnKeyed;

static int ln_by_key(const void *a, const void *b) { /* (key, index): a stable sort */
    const LnGlyph *x = a, *y = b;
    if (x->key != y->key) return x->key < y->key ? -1 : 1;
    return (x->index > y->index) - (x->index < y->index);
}

static int ln_by_v(const void *a, const void *b) {
    const LnKeyed *x = a, *y = b;
    if (x->v != y->v) return x->v < y->v ? -1 : 1;
    return (x->index > y->index) - (x->index < y->index);
}

static int ln_num(PyObject *o, double *d) { /* 0, or -1 (no error set): not a number read here */
    if (PyFloat_CheckExact(o)) {
        *d = PyFloat_AS_DOUBLE(o);
        return isfinite(*d) ? 0 : -1;
    }
    if (PyLong_CheckExact(o)) {
        int overflow;
        long long v = PyLong_AsLongLongAndOverflow(o, &overflow);
        if (!overflow && v > -(1LL << 50) && v < (1LL << 50)) {
            *d = (double)v;
            return 0;
        }
        PyErr_Clear();
    }
    return -1;
}

/* Read glyph ``g`` into ``r``: 0, or -1 (no error set) when it is not of the shape (see above);
 * ``depth`` 1: a run's part, which must hold one glyph. */
static int ln_read(PyObject *g, LnGlyph *r, int depth) {
    if (!PyObject_TypeCheck(g, glyph_type)) return -1;
    static const int need[] = {TEXT, X0, Y0, X1, Y1, BASELINE, SIZE, FONT, BOLD, N, PARTS, ARTIFACT};
    for (size_t i = 0; i < sizeof need / sizeof *need; i++)
        if (SLOT(g, need[i]) == NULL) return -1;
    PyObject *text = SLOT(g, TEXT), *n = SLOT(g, N), *bold = SLOT(g, BOLD);
    if (!PyUnicode_CheckExact(text) || !PyLong_CheckExact(n) || !PyBool_Check(bold)) return -1;
    if (ln_num(SLOT(g, X0), &r->x0) || ln_num(SLOT(g, Y0), &r->y0) || ln_num(SLOT(g, X1), &r->x1) ||
        ln_num(SLOT(g, Y1), &r->y1) || ln_num(SLOT(g, BASELINE), &r->base) || ln_num(SLOT(g, SIZE), &r->size))
        return -1;
    long nn = PyLong_AsLong(n);
    if (nn == -1 && PyErr_Occurred()) {
        PyErr_Clear();
        return -1;
    }
    if (nn < 1 || nn > (1L << 20) || (depth && nn != 1)) return -1;
    if (nn > 1) {
        PyObject *parts = SLOT(g, PARTS);
        if (!PyList_CheckExact(parts)) return -1;
        LnGlyph tmp;
        for (Py_ssize_t j = 0; j < PyList_GET_SIZE(parts); j++)
            if (ln_read(PyList_GET_ITEM(parts, j), &tmp, 1) < 0) return -1;
    }
    r->g = g, r->n = nn, r->bold = bold == Py_True, r->synth = 0;
    r->key = r->x0 + r->x1; /* _center */
    Py_ssize_t len = PyUnicode_GET_LENGTH(text);
    int kind = PyUnicode_KIND(text);
    const void *data = PyUnicode_DATA(text);
    int space = len > 0, latin = 0;
    for (Py_ssize_t j = 0; j < len; j++) {
        Py_UCS4 c = PyUnicode_READ(kind, data, j);
        if (!Py_UNICODE_ISSPACE(c)) space = 0;
        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= 0xC0 && c <= 0x24F)) latin = 1; /* _NARROW_LATIN */
    }
    r->space = space || (len == 1 && PyUnicode_READ(kind, data, 0) == 0x200B); /* _is_space */
    r->latin = latin;
    return 0;
}

/* line_bands(glyphs) -> [band, ...] | None: lines._bands_py, transcribed. */
static PyObject *line_bands(PyObject *self, PyObject *args) {
    PyObject *glyphs;
    if (glyph_type == NULL) return PyErr_Format(PyExc_RuntimeError, "setup() first");
    if (!PyArg_ParseTuple(args, "O!", &PyList_Type, &glyphs)) return NULL;
    Py_ssize_t n = PyList_GET_SIZE(glyphs);
    if (n == 0) Py_RETURN_NONE;
    LnGlyph *a = PyMem_Malloc(sizeof(LnGlyph) * n);
    if (a == NULL) return PyErr_NoMemory();
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *g = PyList_GET_ITEM(glyphs, i);
        double s;
        if (!PyObject_TypeCheck(g, glyph_type) || SLOT(g, BASELINE) == NULL || SLOT(g, SIZE) == NULL ||
            ln_num(SLOT(g, BASELINE), &a[i].key) || ln_num(SLOT(g, SIZE), &s)) {
            PyMem_Free(a);
            Py_RETURN_NONE;
        }
        a[i].g = g, a[i].size = s, a[i].index = i;
    }
    qsort(a, n, sizeof(LnGlyph), ln_by_key); /* sorted(glyphs, key=_BASELINE) */
    PyObject *bands = PyList_New(0), *band = NULL;
    if (bands == NULL) goto fail;
    double ref = 0, tol = 0;
    for (Py_ssize_t i = 0; i < n; i++) {
        double d = a[i].key - ref;
        if (i > 0 && (d <= tol || d <= 0.35 * a[i].size)) {
            if (PyList_Append(band, a[i].g) < 0) goto fail;
            continue;
        }
        if (band != NULL) {
            int r = PyList_Append(bands, band);
            Py_CLEAR(band);
            if (r < 0) goto fail;
        }
        if ((band = PyList_New(1)) == NULL) goto fail;
        PyList_SET_ITEM(band, 0, Py_NewRef(a[i].g));
        ref = a[i].key, tol = 0.35 * a[i].size;
    }
    if (PyList_Append(bands, band) < 0) goto fail;
    Py_DECREF(band);
    PyMem_Free(a);
    return bands;
fail:
    Py_XDECREF(band);
    Py_XDECREF(bands);
    PyMem_Free(a);
    return NULL;
}

/* sorted(_sizes(ink)) of the line glyphs ``r[0..m)`` that are not made spaces, into ``out``
 * (room for their sizes); their count. */
static Py_ssize_t ln_sizes(const LnGlyph *r, Py_ssize_t m, LnKeyed *out) {
    Py_ssize_t k = 0;
    for (Py_ssize_t i = 0; i < m; i++)
        if (!r[i].synth)
            for (long j = 0; j < r[i].n; j++, k++) out[k].v = r[i].size, out[k].index = k, out[k].obj = SLOT(r[i].g, SIZE);
    qsort(out, k, sizeof(LnKeyed), ln_by_v);
    return k;
}

/* _make: the VisualLine of the glyphs ``r[0..m)`` (a new reference), ``sizes`` (sorted, ``k``) when
 * known, else worked out in ``work``; ``tmp`` has room for m entries. */
static PyObject *ln_make(const LnGlyph *r, Py_ssize_t m, LnKeyed *sizes, Py_ssize_t k, LnKeyed *work,
                         LnKeyed *tmp, PyObject *artifact_of) {
    if (sizes == NULL) k = ln_sizes(r, m, sizes = work);
    long bold = 0;
    Py_ssize_t first = -1, nink = 0, lo = 0, hi = 0, top = -1, bottom = -1;
    for (Py_ssize_t i = 0; i < m; i++) {
        if (r[i].x0 < r[lo].x0) lo = i;
        if (r[i].x1 > r[hi].x1) hi = i;
        if (r[i].synth) continue;
        if (first < 0) first = i, top = i, bottom = i;
        if (r[i].bold) bold += r[i].n;
        if (r[i].y0 < r[top].y0) top = i;
        if (r[i].y1 > r[bottom].y1) bottom = i;
        tmp[nink].v = r[i].base, tmp[nink].index = nink, tmp[nink].obj = SLOT(r[i].g, BASELINE);
        nink++;
    }
    if (first < 0) { /* not reached: a line starts with a glyph of ink */
        PyErr_SetString(PyExc_ValueError, "a line without ink");
        return NULL;
    }
    qsort(tmp, nink, sizeof(LnKeyed), ln_by_v);
    PyObject *glyphs = PyList_New(m), *art = Py_None;
    if (glyphs == NULL) return NULL;
    for (Py_ssize_t i = 0; i < m; i++) PyList_SET_ITEM(glyphs, i, Py_NewRef(r[i].g));
    if (SLOT(r[first].g, ARTIFACT) != Py_None) { /* artifact_of(ink) */
        PyObject *ink = PyList_New(nink);
        if (ink == NULL) goto fail;
        for (Py_ssize_t i = 0, j = 0; i < m; i++)
            if (!r[i].synth) PyList_SET_ITEM(ink, j++, Py_NewRef(r[i].g));
        art = PyObject_CallOneArg(artifact_of, ink);
        Py_DECREF(ink);
        if (art == NULL) goto fail;
    } else
        Py_INCREF(art);
    PyObject *vl = vline_type->tp_alloc(vline_type, 0);
    if (vl == NULL) {
        Py_DECREF(art);
        goto fail;
    }
    PyObject *v[VL_NSLOTS] = {glyphs, SLOT(r[lo].g, X0), SLOT(r[top].g, Y0), SLOT(r[hi].g, X1),
                              SLOT(r[bottom].g, Y1), sizes[k / 2].obj, bold * 2 > k ? Py_True : Py_False,
                              zero, zero, zero, art, tmp[nink / 2].obj};
    for (int i = 0; i < VL_NSLOTS; i++) VSLOT(vl, i) = Py_NewRef(v[i]);
    Py_DECREF(glyphs);
    Py_DECREF(art);
    return vl;
fail:
    Py_DECREF(glyphs);
    return NULL;
}

/* _inside_word(space, a, b) */
static int ln_inside_word(const LnGlyph *s, const LnGlyph *a, const LnGlyph *b) {
    double tol = 0.05 * s->size;
    if (s->x1 - s->x0 <= tol || b->x0 - a->x1 > tol) return 0;
    return fabs(s->x0 - a->x0) < tol || fabs(s->x1 - b->x1) < tol;
}

/* unmerge_crossed on the band ``a[0..n)`` (sorted by centre): the runs crossed, or 0; ``*out``
 * (to free) the letters, sorted again, ``*m`` their count, ``*list`` a new list of them. -1: error. */
static int ln_unmerge(LnGlyph *a, Py_ssize_t n, LnGlyph **out, Py_ssize_t *m, PyObject **list) {
    char *crossed = PyMem_Calloc(n + 1, 1);
    if (crossed == NULL) return PyErr_NoMemory(), -1;
    Py_ssize_t count = 0, total = 0;
    for (Py_ssize_t i = 0; i < n; i++) {
        if (a[i].n <= 1) continue;
        double eps = 0.02 * a[i].size, lo = 2 * (a[i].x0 + eps), hi = 2 * (a[i].x1 - eps);
        if ((i > 0 && lo < a[i - 1].key && a[i - 1].key < hi) || (i < n - 1 && lo < a[i + 1].key && a[i + 1].key < hi))
            crossed[i] = 1, count++;
    }
    if (count == 0) {
        PyMem_Free(crossed);
        return 0;
    }
    for (Py_ssize_t i = 0; i < n; i++) { /* ``any(g is c for c in crossed)``: the same run twice, both */
        if (a[i].n > 1 && !crossed[i])
            for (Py_ssize_t j = 0; j < n; j++)
                if (crossed[j] == 1 && a[j].g == a[i].g) crossed[i] = 2;
        total += crossed[i] ? PyList_GET_SIZE(SLOT(a[i].g, PARTS)) : 1;
    }
    LnGlyph *b = PyMem_Malloc(sizeof(LnGlyph) * (total + 1));
    if (b == NULL) {
        PyMem_Free(crossed);
        return PyErr_NoMemory(), -1;
    }
    Py_ssize_t k = 0;
    for (Py_ssize_t i = 0; i < n; i++) {
        if (!crossed[i]) {
            b[k] = a[i], b[k].index = k, k++;
            continue;
        }
        PyObject *parts = SLOT(a[i].g, PARTS);
        for (Py_ssize_t j = 0; j < PyList_GET_SIZE(parts); j++, k++) {
            ln_read(PyList_GET_ITEM(parts, j), &b[k], 1); /* read before: cannot fail */
            b[k].index = k;
        }
    }
    PyMem_Free(crossed);
    qsort(b, total, sizeof(LnGlyph), ln_by_key);
    PyObject *l = PyList_New(total);
    if (l == NULL) {
        PyMem_Free(b);
        return -1;
    }
    for (Py_ssize_t i = 0; i < total; i++) PyList_SET_ITEM(l, i, Py_NewRef(b[i].g));
    *out = b, *m = total, *list = l;
    return 1;
}

/* line_segments(band, drop_unmapped, artifact_of, segment_em, space_em, space_em_with_spaces)
 * -> [VisualLine, ...] | None: lines._segments, transcribed (drop_unmapped and artifact_of, which
 * few bands need, are the Python functions, called). */
static PyObject *line_segments(PyObject *self, PyObject *args) {
    PyObject *band, *drop, *artifact_of;
    double seg_em, space_em, space_em_with;
    if (glyph_type == NULL || vline_type == NULL) return PyErr_Format(PyExc_RuntimeError, "setup() first");
    if (!PyArg_ParseTuple(args, "O!OOddd", &PyList_Type, &band, &drop, &artifact_of, &seg_em, &space_em,
                          &space_em_with))
        return NULL;
    Py_ssize_t n = PyList_GET_SIZE(band), nb, m = 0; /* m: glyphs of the line being made, in cur */
    LnGlyph *a = PyMem_Malloc(sizeof(LnGlyph) * (n + 1)), *b = NULL, *cur = NULL;
    LnKeyed *sizes = NULL, *work = NULL, *tmp = NULL;
    PyObject *list = NULL, *dropped = NULL, *out = NULL, *result = NULL;
    if (a == NULL) return PyErr_NoMemory();
    for (Py_ssize_t i = 0; i < n; i++)
        if (ln_read(PyList_GET_ITEM(band, i), &a[i], 0) < 0) {
            result = Py_NewRef(Py_None);
            goto done;
        } else
            a[i].index = i;
    qsort(a, n, sizeof(LnGlyph), ln_by_key);
    for (Py_ssize_t i = 0; i < n; i++) PyList_SET_ITEM(band, i, a[i].g); /* band.sort(key=_center): a permutation */
    int r = ln_unmerge(a, n, &b, &nb, &list);
    if (r < 0) goto done;
    if (r == 0) b = a, a = NULL, nb = n, list = Py_NewRef(band);
    int latin = 0;
    for (Py_ssize_t i = 0; i < nb; i++) latin |= b[i].latin;
    PyObject *unmapped = zero;
    if (latin) { /* band, unmapped = drop_unmapped(band) */
        dropped = PyObject_CallOneArg(drop, list);
        if (dropped == NULL) goto done;
        PyObject *kept;
        if (!PyTuple_CheckExact(dropped) || PyTuple_GET_SIZE(dropped) != 2 ||
            !PyList_CheckExact(kept = PyTuple_GET_ITEM(dropped, 0)) || PyList_GET_SIZE(kept) > nb) {
            PyErr_SetString(PyExc_TypeError, "drop_unmapped: not a (list, count) of the band");
            goto done;
        }
        unmapped = PyTuple_GET_ITEM(dropped, 1);
        nb = PyList_GET_SIZE(kept);
        for (Py_ssize_t i = 0; i < nb; i++)
            if (ln_read(PyList_GET_ITEM(kept, i), &b[i], 0) < 0) {
                PyErr_SetString(PyExc_TypeError, "drop_unmapped: a glyph not of the band");
                goto done;
            }
    }
    Py_ssize_t nink = 0, nsizes = 0;
    for (Py_ssize_t i = 0; i < nb; i++)
        if (!b[i].space) nink++, nsizes += b[i].n;
    if (nink == 0) {
        result = PyList_New(0);
        goto done;
    }
    sizes = PyMem_Malloc(sizeof(LnKeyed) * (nsizes + 1));
    work = PyMem_Malloc(sizeof(LnKeyed) * (nsizes + 1));
    tmp = PyMem_Malloc(sizeof(LnKeyed) * (nb + 1));
    cur = PyMem_Malloc(sizeof(LnGlyph) * (2 * nb + 1));
    out = PyList_New(0);
    if (!sizes || !work || !tmp || !cur) {
        PyErr_NoMemory();
        goto done;
    }
    if (out == NULL) goto done;
    for (Py_ssize_t i = 0, j = 0; i < nb; i++) /* the band's ink, for its sizes */
        if (!b[i].space) cur[j++] = b[i];
    Py_ssize_t k = ln_sizes(cur, nink, sizes);
    double size = k % 2 ? sizes[k / 2].v : (sizes[k / 2 - 1].v + sizes[k / 2].v) / 2; /* the median */
    double seg_gap = seg_em * size, space_gap = (nink < nb ? space_em_with : space_em) * size;
    const LnGlyph *prev = NULL, *saw = NULL;
    for (Py_ssize_t i = 0; i < nb; i++) {
        const LnGlyph *g = &b[i];
        if (g->space) {
            if (prev != NULL) saw = g;
            continue;
        }
        if (prev != NULL) {
            double gap = g->x0 - prev->x1;
            if (gap > seg_gap) {
                PyObject *vl = ln_make(cur, m, NULL, 0, work, tmp, artifact_of);
                for (Py_ssize_t j = 0; j < m; j++)
                    if (cur[j].synth) Py_DECREF(cur[j].g); /* the line holds it now */
                m = 0;
                if (vl == NULL || PyList_Append(out, vl) < 0) {
                    Py_XDECREF(vl);
                    goto done;
                }
                Py_DECREF(vl);
            } else if ((saw != NULL && !ln_inside_word(saw, prev, g)) || gap > space_gap) {
                int after = g->x0 > prev->x1;
                PyObject *sp = new_glyph(glyph_type, ln_space, SLOT(prev->g, X1), SLOT(prev->g, Y0),
                                         after ? SLOT(g->g, X0) : SLOT(prev->g, X1), SLOT(prev->g, Y1),
                                         SLOT(prev->g, BASELINE), SLOT(prev->g, SIZE), SLOT(prev->g, FONT),
                                         SLOT(prev->g, BOLD));
                if (sp == NULL) goto done;
                LnGlyph *s = &cur[m++];
                *s = *prev;
                s->g = sp, s->synth = 1, s->space = 1, s->n = 1, s->x0 = prev->x1, s->x1 = after ? g->x0 : prev->x1;
            }
        }
        cur[m++] = *g;
        prev = g;
        saw = NULL;
    }
    if (m) {
        int one = PyList_GET_SIZE(out) == 0; /* one segment: the band's sizes */
        PyObject *vl = ln_make(cur, m, one ? sizes : NULL, k, work, tmp, artifact_of);
        for (Py_ssize_t j = 0; j < m; j++)
            if (cur[j].synth) Py_DECREF(cur[j].g);
        m = 0;
        if (vl == NULL || PyList_Append(out, vl) < 0) {
            Py_XDECREF(vl);
            goto done;
        }
        Py_DECREF(vl);
    }
    if (PyList_GET_SIZE(out) && unmapped != zero) {
        int t = PyObject_IsTrue(unmapped);
        if (t < 0) goto done;
        if (t) Py_SETREF(VSLOT(PyList_GET_ITEM(out, 0), VL_UNMAPPED), Py_NewRef(unmapped));
    }
    result = Py_NewRef(out);
done:
    if (cur != NULL && result == NULL)
        for (Py_ssize_t j = 0; j < m; j++)
            if (cur[j].synth) Py_DECREF(cur[j].g);
    Py_XDECREF(out);
    Py_XDECREF(list);
    Py_XDECREF(dropped);
    PyMem_Free(a);
    PyMem_Free(b);
    PyMem_Free(cur);
    PyMem_Free(sizes);
    PyMem_Free(work);
    PyMem_Free(tmp);
    return result;
}

#include "_marked.c" /* marked content: the content scan, ActualText on the trace */

#ifdef PDFCLEAN_MUPDF
#include "_device.c" /* the MuPDF text device: read_page, trace_page */
#endif

/* ---- quirks._kashida_spans_py, compiled ---------------------------------------------------- */

static int ks_meet(PyObject *a, PyObject *b, double em) { /* quirks._meet */
    double s = num(SLOT(a, SIZE));
    return num(SLOT(b, X0)) - num(SLOT(a, X1)) < em * (1.0 > s ? 1.0 : s);
}

/* join[ch] for a glyph text's first (``last`` 0) or last character, as a C string's first byte
 * ('j', 'l', 'p', 's' or 0); -1 with an error set */
static int ks_join(PyObject *join, PyObject *text, int last) {
    Py_ssize_t n = PyUnicode_GET_LENGTH(text);
    PyObject *ch = PyUnicode_Substring(text, last ? n - 1 : 0, last ? n : 1), *v;
    if (ch == NULL) return -1;
    v = PyObject_GetItem(join, ch);
    Py_DECREF(ch);
    if (v == NULL) return -1;
    int k = PyUnicode_CheckExact(v) && PyUnicode_GET_LENGTH(v) == 1 ? (int)PyUnicode_READ_CHAR(v, 0)
          : PyUnicode_CheckExact(v) && PyUnicode_GET_LENGTH(v) == 0 ? 0 : -2;
    Py_DECREF(v);
    if (k == -2) {
        PyErr_SetString(PyExc_TypeError, "a join kind is one character or none");
        return -1;
    }
    return k;
}

/* kashida_spans(glyphs, rows, join, touch_em, near_em) -> [(row, i, j), ...] | None:
 * quirks._kashida_spans_py, transcribed: along each row of quirks._kashida_rows, the runs of
 * candidates row[i..j] (each meeting the next) between a letter that joins or ends and one that
 * joins, meeting both. None when a glyph is not readable, its text empty, or a row not as
 * _kashida_rows makes it. */
static PyObject *kashida_spans(PyObject *self, PyObject *args) {
    PyObject *glyphs, *rows, *join;
    double touch, near;
    if (glyph_type == NULL) return PyErr_Format(PyExc_RuntimeError, "setup() first");
    if (!PyArg_ParseTuple(args, "O!O!Odd", &PyList_Type, &glyphs, &PyList_Type, &rows, &join, &touch, &near))
        return NULL;
    Py_ssize_t ng = PyList_GET_SIZE(glyphs), nr = PyList_GET_SIZE(rows);
    PyObject **g = PySequence_Fast_ITEMS(glyphs);
    for (Py_ssize_t r = 0; r < nr; r++) {  /* the rows: (glyph indexes, candidate places, spaced) */
        PyObject *t = PyList_GET_ITEM(rows, r), *row, *at;
        if (!PyTuple_CheckExact(t) || PyTuple_GET_SIZE(t) != 3 || !PyList_CheckExact(row = PyTuple_GET_ITEM(t, 0)) ||
            !PyList_CheckExact(at = PyTuple_GET_ITEM(t, 1)))
            Py_RETURN_NONE;
        Py_ssize_t n = PyList_GET_SIZE(row), v;
        for (Py_ssize_t k = 0; k < n; k++) {
            if (!rp_index(PyList_GET_ITEM(row, k), &v) || v < 0 || v >= ng) Py_RETURN_NONE;
            if (!readable(g[v]) || PyUnicode_GET_LENGTH(SLOT(g[v], TEXT)) == 0) Py_RETURN_NONE;
        }
        for (Py_ssize_t k = 0; k < PyList_GET_SIZE(at); k++)
            if (!rp_index(PyList_GET_ITEM(at, k), &v) || v < 0 || v >= n) Py_RETURN_NONE;
    }
    PyObject *out = PyList_New(0);
    if (out == NULL) return NULL;
#define ROWG(k) g[PyLong_AsSsize_t(PyList_GET_ITEM(row, (k)))]
#define AT(k) PyLong_AsSsize_t(PyList_GET_ITEM(at, (k)))
    for (Py_ssize_t r = 0; r < nr; r++) {
        PyObject *t = PyList_GET_ITEM(rows, r), *row = PyTuple_GET_ITEM(t, 0), *at = PyTuple_GET_ITEM(t, 1);
        int spaced = PyObject_IsTrue(PyTuple_GET_ITEM(t, 2));
        if (spaced < 0) goto fail;
        double em = spaced ? near : touch;
        Py_ssize_t n = PyList_GET_SIZE(row), na = PyList_GET_SIZE(at), c = 0;
        while (c < na) {
            Py_ssize_t i = AT(c), j = i;
            c++;
            while (c < na && AT(c) == j + 1 && ks_meet(ROWG(j), ROWG(j + 1), em)) j++, c++;
            if (i > 0 && j + 1 < n) {
                PyObject *a = ROWG(i - 1), *b = ROWG(j + 1), *first = ROWG(i);
                int ka = ks_join(join, SLOT(a, TEXT), 0), kb;
                if (ka < 0) goto fail;
                if (ka != 'j' && ka != 'l') continue;
                if ((kb = ks_join(join, SLOT(b, TEXT), 1)) < 0) goto fail;
                if (kb == 'j' && ks_meet(a, first, em) && ks_meet(ROWG(j), b, em)) {
                    PyObject *span = Py_BuildValue("(Onn)", row, i, j);
                    if (span == NULL || PyList_Append(out, span) < 0) {
                        Py_XDECREF(span);
                        goto fail;
                    }
                    Py_DECREF(span);
                }
            }
        }
    }
#undef ROWG
#undef AT
    return out;
fail:
    Py_DECREF(out);
    return NULL;
}

/* ---- engines._cluster_stream_py, compiled --------------------------------------------------- */

static int cs_rtl(Py_UCS4 o) { return (0x0590 <= o && o <= 0x08FF) || (0xFB1D <= o && o <= 0xFEFF); }

/* engines._base_letter of a text (its first character, NFKC'd, by ``table``): its code point,
 * or -1 with an error set */
static long cs_base(PyObject *table, PyObject *text) {
    PyObject *first = PyUnicode_Substring(text, 0, 1), *b;
    if (first == NULL) return -1;
    b = PyObject_GetItem(table, first);
    Py_DECREF(first);
    if (b == NULL) return -1;
    long cp = PyUnicode_CheckExact(b) && PyUnicode_GET_LENGTH(b) == 1 ? (long)PyUnicode_READ_CHAR(b, 0) : -1;
    Py_DECREF(b);
    if (cp < 0) PyErr_SetString(PyExc_TypeError, "a base letter is one character");
    return cp;
}

/* engines._implausible: 1 if marks ``marks`` on glyph ``b`` break Arabic spelling (``after``: the
 * glyph after it in reading order; -1: None), else 0; -1 with an error set */
static int cs_implausible(PyObject **g, PyObject *table, PyObject *marks, Py_ssize_t b, Py_ssize_t after) {
    if (b < 0) return 1;
    long base = cs_base(table, SLOT(g[b], TEXT));
    if (base < 0) return -1;
    if (!((0x620 <= base && base <= 0x64a) || (0x66e <= base && base <= 0x6d3))) return 1;
    Py_ssize_t n = PyUnicode_GET_LENGTH(marks);
    int tanween = 0;
    for (Py_ssize_t k = 0; k < n; k++) {
        Py_UCS4 m = PyUnicode_READ_CHAR(marks, k);
        if ((base == 0x627 || base == 0x649) && m != 0x64b) return 1;
        if (base == 0x629 && (m == 0x651 || m == 0x652)) return 1;
        tanween |= m == 0x64b || m == 0x64c || m == 0x64d;
    }
    if (after >= 0 && tanween) {
        long nb = cs_base(table, SLOT(g[after], TEXT));
        if (nb < 0) return -1;
        if (fabs(num(SLOT(g[after], X1)) - num(SLOT(g[b], X0))) < 0.15 * num(SLOT(g[b], SIZE)) && 0x620 <= nb &&
            nb <= 0x64a && nb != 0x627 && nb != 0x649)
            return 1;
    }
    return 0;
}

/* engines._near: could mark ``m`` sit on glyph ``g``? */
static int cs_near(PyObject *m, PyObject *g) {
    double s = num(SLOT(g, SIZE)), em = 1.0 > s ? 1.0 : s, x = num(SLOT(m, X0));
    return fabs(num(SLOT(m, BASELINE)) - num(SLOT(g, BASELINE))) < 0.6 * em && num(SLOT(g, X0)) - 1.5 * em < x &&
           x < num(SLOT(g, X1)) + 1.5 * em;
}

static int cs_add(PyObject *habit, const char *key) { /* habit[key] += 1 */
    PyObject *k = PyUnicode_FromString(key), *v = k ? PyObject_GetItem(habit, k) : NULL, *w;
    int bad = v == NULL || (w = PyNumber_Add(v, one)) == NULL;
    if (!bad) {
        bad = PyObject_SetItem(habit, k, w) < 0;
        Py_DECREF(w);
    }
    Py_XDECREF(k), Py_XDECREF(v);
    return bad ? -1 : 0;
}

/* cluster_stream(glyphs, starts_mark, base_letter, habit) -> list | None:
 * engines._cluster_stream_py without the numbering, transcribed: each mark attached to the
 * letter it sits on, the document's ``habit`` (None or a Counter) consulted and updated.
 * None, nothing changed, when a glyph is not readable, its text empty, or the mark table
 * answers other than True or False. */
static PyObject *cluster_stream(PyObject *self, PyObject *args) {
    PyObject *glyphs, *table, *base_of, *habit;
    if (glyph_type == NULL) return PyErr_Format(PyExc_RuntimeError, "setup() first");
    if (!PyArg_ParseTuple(args, "O!OOO", &PyList_Type, &glyphs, &table, &base_of, &habit)) return NULL;
    Py_ssize_t n = PyList_GET_SIZE(glyphs), nm = 0;
    PyObject **g = PySequence_Fast_ITEMS(glyphs);
    for (Py_ssize_t i = 0; i < n; i++)
        if (!readable(g[i]) || PyUnicode_GET_LENGTH(SLOT(g[i], TEXT)) == 0) Py_RETURN_NONE;
    Py_ssize_t *nxt = PyMem_Malloc(sizeof(Py_ssize_t) * (size_t)(n ? n : 1) * 3), *prv = nxt + (n ? n : 1),
               *marks = prv + (n ? n : 1);
    unsigned char *mark = PyMem_Malloc((size_t)(n ? n : 1));
    PyObject *out = NULL, *result = NULL;
    if (nxt == NULL || mark == NULL) {
        PyErr_NoMemory();
        goto done;
    }
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *text = SLOT(g[i], TEXT), *v = PyDict_CheckExact(table) ? PyDict_GetItemWithError(table, text) : NULL;
        if (v != NULL)
            Py_INCREF(v);
        else if (PyErr_Occurred() || (v = PyObject_GetItem(table, text)) == NULL)
            goto done;
        mark[i] = v == Py_True;
        int ok = v == Py_True || v == Py_False;
        Py_DECREF(v);
        if (!ok) {
            result = Py_NewRef(Py_None);
            goto done;
        }
        if (mark[i]) marks[nm++] = i;
    }
    if (nm == 0) {  /* (the glyphs themselves) */
        result = Py_NewRef(glyphs);
        goto done;
    }
    for (Py_ssize_t i = 0, last = -1; i < n; i++) {  /* the nearest glyph before that is no mark */
        prv[i] = last;
        if (!mark[i]) last = i;
    }
    for (Py_ssize_t i = n - 1, last = -1; i >= 0; i--) {  /* … and after */
        nxt[i] = last;
        if (!mark[i]) last = i;
    }
    if ((out = PyList_New(0)) == NULL) goto done;
    for (Py_ssize_t i = 0; i < n; i++)
        if (!mark[i] && PyList_Append(out, g[i]) < 0) goto done;
    int attach_next = 0;
    if (pen_votes(out)) {
        long score_next = 0, score_prev = 0;
        for (Py_ssize_t q = 0; q < nm; q++) {
            Py_ssize_t i = marks[q], j = nxt[i], k = prv[i];
            PyObject *text = SLOT(g[i], TEXT);
            if (!cs_rtl(PyUnicode_READ_CHAR(text, 0))) continue;
            int a = cs_implausible(g, base_of, text, j, j >= 0 ? prv[j] : -1), b;
            if (a < 0 || (b = cs_implausible(g, base_of, text, k, k >= 0 ? prv[k] : -1)) < 0) goto done;
            score_next += a, score_prev += b;
        }
        if (score_next != score_prev) {
            attach_next = score_next < score_prev;
            if (habit != Py_None && cs_add(habit, attach_next ? "next" : "prev") < 0) goto done;
        } else if (habit == Py_None) {
            attach_next = 1;
        } else {
            PyObject *a = PyUnicode_FromString("next"), *b = PyUnicode_FromString("prev");
            PyObject *va = a ? PyObject_GetItem(habit, a) : NULL, *vb = va && b ? PyObject_GetItem(habit, b) : NULL;
            attach_next = vb ? PyObject_RichCompareBool(va, vb, Py_GE) : -1;
            Py_XDECREF(a), Py_XDECREF(b), Py_XDECREF(va), Py_XDECREF(vb);
            if (attach_next < 0) goto done;
        }
    }
    for (Py_ssize_t q = 0; q < nm; q++) {  /* in stream order, so several marks on a letter keep theirs */
        Py_ssize_t i = marks[q];
        PyObject *text = SLOT(g[i], TEXT);
        Py_ssize_t first = attach_next && cs_rtl(PyUnicode_READ_CHAR(text, 0)) ? nxt[i] : prv[i];
        Py_ssize_t second = first == nxt[i] ? prv[i] : nxt[i], pair[2] = {first, second};
        int placed = 0;
        for (int p = 0; p < 2 && !placed; p++) {
            Py_ssize_t t = pair[p];
            if (t >= 0 && cs_near(g[i], g[t])) {
                PyObject *joined = PyUnicode_Concat(SLOT(g[t], TEXT), text);
                if (joined == NULL) goto done;
                Py_SETREF(SLOT(g[t], TEXT), joined);
                placed = 1;
            }
        }
        if (!placed && PyList_Append(out, g[i]) < 0) goto done;  /* an orphan, after everything */
    }
    result = out;
    out = NULL;
done:
    PyMem_Free(nxt), PyMem_Free(mark);
    Py_XDECREF(out);
    return result;
}

static PyMethodDef methods[] = {
    {"setup", setup, METH_VARARGS, "setup(Glyph, TraceGlyph): resolve the slots."},
    {"read_trace", read_trace, METH_VARARGS, "glyphtrace.read_trace, compiled."},
    {"merge_runs", merge_runs, METH_VARARGS, "engines.merge_runs, compiled."},
    {"lookup", lookup, METH_VARARGS, "[table[g.text] for g in glyphs]"},
    {"texts", texts, METH_VARARGS, "[g.text for g in glyphs]"},
    {"kashida_rows", kashida_rows, METH_VARARGS, "quirks._kashida_rows, compiled."},
    {"pen_moves_right", pen_moves_right, METH_VARARGS, "engines._pen_moves_right, compiled."},
    {"stream_was_visual", stream_was_visual, METH_VARARGS, "script._stream_was_visual_py, compiled."},
    {"piece_pairs", piece_pairs, METH_VARARGS, "quirks._piece_pairs_py, compiled."},
    {"fold_overprints", fold_overprints, METH_VARARGS, "quirks._fold_overprints_py, compiled."},
    {"lines_setup", lines_setup, METH_VARARGS, "lines_setup(VisualLine): resolve its slots."},
    {"line_bands", line_bands, METH_VARARGS, "lines._bands_py, compiled."},
    {"line_segments", line_segments, METH_VARARGS, "lines._segments, compiled."},
    {"marked_scan", marked_scan, METH_VARARGS, "marked.reader._Walk.run's loop over the common tokens, compiled."},
    {"trace_codes", trace_codes, METH_VARARGS, "marked.trace._trace_codes_py, compiled."},
    {"trace_entries", trace_entries, METH_VARARGS, "marked.trace._entries_py, compiled."},
    {"replacements", replacements, METH_VARARGS, "marked.trace._replace_py, compiled."},
    {"rebuilt", rebuilt, METH_VARARGS, "marked.trace._rebuilt_py, compiled."},
    {"merge_pieces", merge_pieces, METH_VARARGS, "marked.trace._merge_pieces_py, compiled."},
    {"cluster_stream", cluster_stream, METH_VARARGS, "engines._cluster_stream_py (but the numbering), compiled."},
    {"kashida_spans", kashida_spans, METH_VARARGS, "quirks._kashida_spans_py, compiled."},
#ifdef PDFCLEAN_MUPDF
    {"device_setup", device_setup, METH_VARARGS, "device_setup(libmupdf path, FZ_VERSION) -> bool"},
    {"read_page", read_page, METH_VARARGS, "get_texttrace() and read_trace in one, as MuPDF draws the page."},
    {"trace_page", trace_page, METH_VARARGS, "get_texttrace(), its keys that pdfclean reads."},
#endif
    {NULL, NULL, 0, NULL}};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_kernel", NULL, -1, methods};

PyMODINIT_FUNC PyInit__kernel(void) {
    k_dir = PyUnicode_InternFromString("dir"), k_chars = PyUnicode_InternFromString("chars");
    k_size = PyUnicode_InternFromString("size"), k_bbox = PyUnicode_InternFromString("bbox");
    k_type = PyUnicode_InternFromString("type"), k_font = PyUnicode_InternFromString("font");
    k_flags = PyUnicode_InternFromString("flags"), k_wmode = PyUnicode_InternFromString("wmode");
    zero = PyLong_FromLong(0);
    one = PyLong_FromLong(1);
    return PyModule_Create(&module);
}
