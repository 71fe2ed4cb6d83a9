/* pdfclean._kernel's MuPDF text device (included by _kernel.c when it is built
 * with MuPDF's headers: -DPDFCLEAN_MUPDF, see setup.py).
 *
 * ``read_page`` runs a page through a device of its own and makes the page's
 * glyphs as it is drawn: what ``Page.get_texttrace()`` followed by
 * ``read_trace`` give (glyphtrace.read_trace), without the trace in between —
 * a dict, a tuple and ten numbers per glyph that PyMuPDF builds and
 * read_trace takes apart again. ``trace_page`` gives the trace itself, for
 * the pages whose marked content is applied to it (pdfclean.marked), built
 * without PyMuPDF's per-glyph overhead (its C++ wrappers, a colour
 * conversion per span, Py_BuildValue per glyph).
 *
 * The device is PyMuPDF's text-trace device (``jm_trace_text_span``: the same
 * callbacks, the same arithmetic in the same float and double types, boxes of
 * 0.8 and 0.2 em as pdfclean.mupdf.texttrace asks for), so every number comes
 * out bit for bit as in the trace (tests/test_device.py compares them on
 * every page of every sample and real PDF).
 *
 * MuPDF's functions are not linked: they are looked up (device_setup) in the
 * libmupdf that PyMuPDF has loaded, and only when its version is the version
 * of the headers this was built with. Anything this code does not expect (an
 * empty span, a font name that is not plain ASCII, a code point beyond
 * Unicode, a MuPDF error) gives None: the engine then reads the page through
 * get_texttrace() as before, from the start. A Python error (pdfclean's own)
 * is raised.
 */
#include <dlfcn.h>
#include <string.h>
#include <mupdf/fitz.h>

static struct {
    fz_jmp_buf *(*push_try)(fz_context *);
    int (*do_try)(fz_context *);
    int (*do_catch)(fz_context *);
    fz_device *(*new_device_of_size)(fz_context *, int);
    void (*run_page)(fz_context *, fz_page *, fz_device *, fz_matrix, fz_cookie *);
    void (*close_device)(fz_context *, fz_device *);
    void (*drop_device)(fz_context *, fz_device *);
    float (*advance_glyph)(fz_context *, fz_font *, int, int);
    const char *(*font_name)(fz_context *, fz_font *);
    int (*font_is_bold)(fz_context *, fz_font *);
    int (*font_is_italic)(fz_context *, fz_font *);
    int (*font_is_serif)(fz_context *, fz_font *);
    int (*font_is_monospaced)(fz_context *, fz_font *);
    fz_matrix (*concat)(fz_matrix, fz_matrix);
    fz_point (*transform_point)(fz_point, fz_matrix);
    fz_point (*transform_vector)(fz_point, fz_matrix);
    fz_point (*normalize_vector)(fz_point);
    fz_rect (*transform_rect)(fz_rect, fz_matrix);
    fz_rect (*union_rect)(fz_rect, fz_rect);
} mu;
static int mu_ready = 0;

/* device_setup(libmupdf path, FZ_VERSION) -> bool: MuPDF's functions found in
 * the library PyMuPDF has loaded, of the version these headers describe. */
static PyObject *device_setup(PyObject *self, PyObject *args) {
    const char *path, *version;
    if (!PyArg_ParseTuple(args, "ss", &path, &version)) return NULL;
    mu_ready = 0;
    if (strcmp(version, FZ_VERSION) != 0) Py_RETURN_FALSE;
    void *lib = dlopen(path, RTLD_NOW | RTLD_NOLOAD); /* PyMuPDF's own copy, already loaded */
    if (lib == NULL) Py_RETURN_FALSE;
    struct {
        void **to;
        const char *name;
    } want[] = {{(void **)&mu.push_try, "fz_push_try"},
                {(void **)&mu.do_try, "fz_do_try"},
                {(void **)&mu.do_catch, "fz_do_catch"},
                {(void **)&mu.new_device_of_size, "fz_new_device_of_size"},
                {(void **)&mu.run_page, "fz_run_page"},
                {(void **)&mu.close_device, "fz_close_device"},
                {(void **)&mu.drop_device, "fz_drop_device"},
                {(void **)&mu.advance_glyph, "fz_advance_glyph"},
                {(void **)&mu.font_name, "fz_font_name"},
                {(void **)&mu.font_is_bold, "fz_font_is_bold"},
                {(void **)&mu.font_is_italic, "fz_font_is_italic"},
                {(void **)&mu.font_is_serif, "fz_font_is_serif"},
                {(void **)&mu.font_is_monospaced, "fz_font_is_monospaced"},
                {(void **)&mu.concat, "fz_concat"},
                {(void **)&mu.transform_point, "fz_transform_point"},
                {(void **)&mu.transform_vector, "fz_transform_vector"},
                {(void **)&mu.normalize_vector, "fz_normalize_vector"},
                {(void **)&mu.transform_rect, "fz_transform_rect"},
                {(void **)&mu.union_rect, "fz_union_rect"}};
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
        if ((*want[i].to = dlsym(lib, want[i].name)) == NULL) {
            dlclose(lib);
            Py_RETURN_FALSE;
        }
    /* the handle stays open: the functions are PyMuPDF's, loaded as long as it is */
    mu_ready = 1;
    Py_RETURN_TRUE;
}

typedef struct { /* one glyph of a span as the trace would give it */
    int ucs, gid;
    float ox, oy;
    fz_rect box;
} DevChar;

typedef struct {
    fz_device super;
    PyObject *glyphs, *fix, *chars_of, *bold_name;
    TwiceGrid spans; /* the spans read, for the text-drawn-twice check */
    PyObject *trace; /* trace_page: the page's trace dicts (glyphs, fix and spans unused) */
    double W, H;
    const unsigned char *table;
    Py_ssize_t tlen;
    int subset; /* keep the "ABCDEF+" of subset font names (PyMuPDF's set_subset_fontnames) */
    long turned, outside;
    int twice;
    int stop; /* 1: fall back (nothing of the page is kept), 2: a Python error is set */
    DevChar *buf;
    int cap;
    PyObject *last_name; /* the last span font name made (ASCII) */
    PyObject *last_dir, *last_size; /* trace_page: the last span's dir tuple and size, for the next like it */
} TextDev;

/* The name the trace gives ``font`` (JM_font_name; its "XXXXXX+" subset prefix
 * dropped), or NULL with stop set: not plain ASCII (PyMuPDF's escaping would
 * have to be copied), or an error. The last name made is reused when the text
 * is the same (compared, not the font's address: a font freed during the run
 * may leave its address to another). */
static PyObject *font_name(fz_context *ctx, TextDev *d, fz_font *font) {
    const char *name = mu.font_name(ctx, font), *plus = strchr(name, '+');
    if (!d->subset && plus != NULL && plus - name == 6) name = plus + 1;
    if (d->last_name != NULL && strcmp(PyUnicode_AsUTF8(d->last_name), name) == 0) return d->last_name;
    for (const char *c = name; *c; c++)
        if ((unsigned char)*c >= 0x80 || *c == '\\') {
            d->stop = 1;
            return NULL;
        }
    PyObject *s = PyUnicode_FromString(name);
    if (s == NULL) {
        d->stop = 2;
        return NULL;
    }
    Py_XSETREF(d->last_name, s);
    return s;
}

/* Is float object ``o`` the float ``v``, bit for bit? */
static int same_float(PyObject *o, double v) {
    double w = PyFloat_AS_DOUBLE(o);
    return memcmp(&w, &v, sizeof w) == 0;
}

/* ``*last`` (a new reference to it) when it is ``v`` bit for bit, else a new float ``v``,
 * which ``*last`` then holds too; NULL on a failure. */
static PyObject *same_or_new(PyObject **last, double v) {
    if (*last == NULL || !same_float(*last, v)) {
        Py_XSETREF(*last, PyFloat_FromDouble(v));
        if (*last == NULL) return NULL;
    }
    return Py_NewRef(*last);
}

/* A tuple of ``n`` new objects (each NULL on a failure, then the tuple is not made: NULL). */
static PyObject *tuple_of(int n, PyObject **items) {
    PyObject *t = NULL;
    for (int i = 0; i < n; i++)
        if (items[i] == NULL) goto fail;
    if ((t = PyTuple_New(n)) == NULL) goto fail;
    for (int i = 0; i < n; i++) PyTuple_SET_ITEM(t, i, items[i]);
    return t;
fail:
    for (int i = 0; i < n; i++) Py_XDECREF(items[i]);
    return NULL;
}

/* ``(x0, y0, x1, y1)`` of the trace (its floats made from C floats, as Py_BuildValue's "f" makes them). */
static PyObject *float_box(float x0, float y0, float x1, float y1) {
    PyObject *v[4] = {PyFloat_FromDouble(x0), PyFloat_FromDouble(y0), PyFloat_FromDouble(x1), PyFloat_FromDouble(y1)};
    return tuple_of(4, v);
}

/* ``(uc, gid, (x, y), (x0, y0, x1, y1))``: a char of the trace (Py_BuildValue's "ii(ff)(ffff)", by hand). */
static PyObject *trace_char(const DevChar *c) {
    PyObject *o[2] = {PyFloat_FromDouble(c->ox), PyFloat_FromDouble(c->oy)};
    PyObject *v[4] = {PyLong_FromLong(c->ucs), PyLong_FromLong(c->gid), tuple_of(2, o),
                      float_box(c->box.x0, c->box.y0, c->box.x1, c->box.y1)};
    return tuple_of(4, v);
}

/* A span's ``chars`` tuple, as the trace gives it. */
static PyObject *trace_chars(const DevChar *cs, int n) {
    PyObject *chars = PyTuple_New(n);
    if (chars == NULL) return NULL;
    for (int i = 0; i < n; i++) {
        PyObject *c = trace_char(&cs[i]);
        if (c == NULL) {
            Py_DECREF(chars);
            return NULL;
        }
        PyTuple_SET_ITEM(chars, i, c);
    }
    return chars;
}

/* The span's dict as fontmap.repair_trace reads it: its font, size and chars. */
static PyObject *span_dict(const DevChar *cs, int n, PyObject *font, PyObject *size) {
    PyObject *chars = trace_chars(cs, n);
    return chars == NULL ? NULL : Py_BuildValue("{sOsOsN}", "font", font, "size", size, "chars", chars);
}

static int kept_box(const fz_rect *b, double W, double H) {
    return b->x1 >= 0 && b->x0 <= W && b->y1 >= 0 && b->y0 <= H;
}

/* One span's glyphs: glyphtrace.span_glyphs over the span's chars as they are
 * drawn (``cs``); 0, or -1 with stop set. */
static int dev_span_glyphs(TextDev *d, const DevChar *cs, int n, PyObject *size, PyObject *font, PyObject *bold,
                           int inside, PyObject *trace_size) {
    int kept = 0;
    PyObject *span = NULL; /* made when a glyph is to be asked about */
    PyObject *top = NULL, *bottom = NULL, *base = NULL; /* the last glyph's (see same_or_new) */
    for (int i = 0; i < n; i++) {
        const DevChar *c = &cs[i];
        long long uc = c->ucs, gid = c->gid;
        if (d->table[uc < 0 ? uc + d->tlen : uc]) { /* no character, U+FFFD, private use, a control: ask the font */
            if (uc <= 0) continue;
            if (gid != -1) kept = inside || kept_box(&c->box, d->W, d->H);
            if (kept) {
                if (span == NULL && (span = span_dict(cs, n, font, trace_size)) == NULL) goto fail;
                PyObject *e = Py_BuildValue("(nLO)", PyList_GET_SIZE(d->glyphs) - (gid == -1), gid, span);
                if (e == NULL || PyList_Append(d->fix, e) < 0) {
                    Py_XDECREF(e);
                    goto fail;
                }
                Py_DECREF(e);
            }
        }
        if (gid == -1) { /* more characters of the previous glyph */
            if (kept) {
                Py_ssize_t last = PyList_GET_SIZE(d->glyphs) - 1;
                if (last < 0) { /* Python would raise: its path */
                    Py_XDECREF(span);
                    Py_XDECREF(top), Py_XDECREF(bottom), Py_XDECREF(base);
                    d->stop = 1;
                    return -1;
                }
                PyObject *g = PyList_GET_ITEM(d->glyphs, last), *ch = PyUnicode_FromOrdinal((int)uc);
                if (ch == NULL) goto fail;
                PyObject *t = PyUnicode_Concat(SLOT(g, TEXT), ch);
                Py_DECREF(ch);
                if (t == NULL) goto fail;
                Py_SETREF(SLOT(g, TEXT), t);
            } else if (!Py_UNICODE_ISSPACE((Py_UCS4)uc))
                d->outside++;
            continue;
        }
        kept = inside || kept_box(&c->box, d->W, d->H);
        if (!kept) {
            if (!Py_UNICODE_ISSPACE((Py_UCS4)uc)) d->outside++;
            continue;
        }
        PyObject *key = PyLong_FromLong(c->ucs);
        if (key == NULL) goto fail;
        PyObject *text = PyDict_GetItemWithError(d->chars_of, key); /* borrowed */
        if (text == NULL) {
            PyObject *made = PyErr_Occurred() ? NULL : PyUnicode_FromOrdinal(c->ucs);
            if (made == NULL || PyDict_SetItem(d->chars_of, key, made) < 0) {
                Py_XDECREF(made);
                Py_DECREF(key);
                goto fail;
            }
            text = made;
            Py_DECREF(made); /* the table holds it */
        }
        Py_DECREF(key);
        /* a glyph's top, bottom and baseline are the glyph before's (the same bit for bit, as
         * along a line) or new floats: fewer objects, the same values */
        PyObject *v[5] = {PyFloat_FromDouble(c->box.x0), same_or_new(&top, c->box.y0), PyFloat_FromDouble(c->box.x1),
                          same_or_new(&bottom, c->box.y1), same_or_new(&base, c->oy)};
        PyObject *g = NULL, *gido = NULL;
        if (v[0] && v[1] && v[2] && v[3] && v[4] && (gido = PyLong_FromLong(c->gid)) != NULL)
            g = new_glyph(trace_type, text, v[0], v[1], v[2], v[3], v[4], size, font, bold);
        for (int k = 0; k < 5; k++) Py_XDECREF(v[k]);
        if (g == NULL) {
            Py_XDECREF(gido);
            goto fail;
        }
        SLOT(g, GID) = gido;
        int r = PyList_Append(d->glyphs, g);
        Py_DECREF(g);
        if (r < 0) goto fail;
    }
    Py_XDECREF(span);
    Py_XDECREF(top), Py_XDECREF(bottom), Py_XDECREF(base);
    return 0;
fail:
    Py_XDECREF(span);
    Py_XDECREF(top), Py_XDECREF(bottom), Py_XDECREF(base);
    d->stop = 2;
    return -1;
}

/* The span's chars as jm_trace_text_span computes them, into d->buf; its
 * matrix, writing direction, size and box. 0, or -1 with stop set. */
static int dev_chars(fz_context *ctx, TextDev *d, fz_text_span *span, fz_matrix ctm, fz_matrix *mat, fz_point *dir,
                     double *fsize, fz_rect *bb) {
    int n = span->len;
    if (n > d->cap) {
        DevChar *b = PyMem_Realloc(d->buf, (size_t)n * sizeof *b);
        if (b == NULL) {
            PyErr_NoMemory();
            d->stop = 2;
            return -1;
        }
        d->buf = b, d->cap = n;
    }
    double asc = (double)0.8f, dsc = (double)-0.2f; /* quad corrections off */
    double ascsize = asc * *fsize / (asc - dsc), dscsize = dsc * *fsize / (asc - dsc);
    fz_matrix rot = fz_make_matrix(dir->x, dir->y, -dir->y, dir->x, 0, 0);
    if (dir->x == -1) rot.d = 1; /* left-right flip */
    int flip = (mat->d > 0 && (dir->x == 1 || dir->x == -1)) || (mat->b != 0 && mat->b == -mat->c);
    for (int i = 0; i < n; i++) {
        fz_text_item *it = &span->items[i];
        DevChar *c = &d->buf[i];
        double adv = 0;
        if (it->gid >= 0) adv = (double)mu.advance_glyph(ctx, span->font, it->gid, span->wmode);
        adv *= *fsize;
        fz_point o = mu.transform_point(fz_make_point(it->x, it->y), ctm);
        fz_matrix m1 = fz_make_matrix(1, 0, 0, 1, -o.x, -o.y);
        m1 = mu.concat(m1, rot);
        m1 = mu.concat(m1, fz_make_matrix(1, 0, 0, 1, o.x, o.y));
        float x0 = o.x, x1 = x0 + adv, y0, y1;
        if (flip) /* up-down flip */
            y0 = o.y + dscsize, y1 = o.y + ascsize;
        else
            y0 = o.y - ascsize, y1 = o.y - dscsize;
        c->ucs = it->ucs, c->gid = it->gid, c->ox = o.x, c->oy = o.y;
        c->box = mu.transform_rect(fz_make_rect(x0, y0, x1, y1), m1);
        *bb = i > 0 ? mu.union_rect(*bb, c->box) : c->box;
    }
    return 0;
}

/* The span's trace dict, as get_texttrace() makes it, with the keys pdfclean
 * reads (dir, font, wmode, flags, size, type, bbox, chars) appended to d->trace. */
static void dev_trace_span(fz_context *ctx, TextDev *d, fz_text_span *span, int type, fz_point dir, double fsize,
                           fz_rect bb) {
    PyObject *font = font_name(ctx, d, span->font);
    if (font == NULL) return;
    int flags = 8 * (mu.font_is_monospaced(ctx, span->font) != 0) + 2 * (mu.font_is_italic(ctx, span->font) != 0) +
                4 * (mu.font_is_serif(ctx, span->font) != 0) + 16 * (mu.font_is_bold(ctx, span->font) != 0);
    /* Objects equal to the last span's (the dir of a line, its size) are that span's, and a
     * span of one glyph has that glyph's box for its bbox: fewer objects, the same values
     * (compared bit for bit: -0.0 is not 0.0). */
    if (d->last_dir == NULL || !same_float(PyTuple_GET_ITEM(d->last_dir, 0), dir.x) ||
        !same_float(PyTuple_GET_ITEM(d->last_dir, 1), dir.y)) {
        PyObject *dv[2] = {PyFloat_FromDouble(dir.x), PyFloat_FromDouble(dir.y)};
        Py_XSETREF(d->last_dir, tuple_of(2, dv));
        if (d->last_dir == NULL) goto fail;
    }
    if (d->last_size == NULL || !same_float(d->last_size, fsize)) {
        Py_XSETREF(d->last_size, PyFloat_FromDouble(fsize));
        if (d->last_size == NULL) goto fail;
    }
    PyObject *chars = trace_chars(d->buf, span->len);
    PyObject *box = chars != NULL && span->len == 1 ? Py_NewRef(PyTuple_GET_ITEM(PyTuple_GET_ITEM(chars, 0), 3))
                                                    : float_box(bb.x0, bb.y0, bb.x1, bb.y1);
    PyObject *keys[8] = {k_dir, k_font, k_wmode, k_flags, k_size, k_type, k_bbox, k_chars};
    PyObject *vals[8] = {Py_NewRef(d->last_dir), Py_NewRef(font), PyLong_FromLong((long)span->wmode),
                         PyLong_FromLong(flags), Py_NewRef(d->last_size), PyLong_FromLong(type), box, chars};
    PyObject *e = PyDict_New(); /* Py_BuildValue's "{s(ff)sOsisisdsis(ffff)sN}", by hand */
    int ok = e != NULL;
    for (int i = 0; i < 8; i++) {
        ok = ok && vals[i] != NULL && PyDict_SetItem(e, keys[i], vals[i]) == 0;
        Py_XDECREF(vals[i]);
    }
    if (!ok || PyList_Append(d->trace, e) < 0) {
        Py_XDECREF(e);
        goto fail;
    }
    Py_DECREF(e);
    return;
fail:
    d->stop = 2;
}

/* glyphtrace.read_trace's body for one span, as jm_trace_text_span would have
 * traced it (type 0 fill, 1 stroke, 3 invisible); with d->trace, the span's
 * trace dict instead. */
static void dev_span(fz_context *ctx, TextDev *d, fz_text_span *span, int type, fz_matrix ctm) {
    if (span->len <= 0) { /* its trace box would be uninitialised memory: Python's path */
        d->stop = 1;
        return;
    }
    fz_matrix mat = mu.concat(span->trm, ctm);
    fz_point dir = mu.transform_vector(fz_make_point(1, 0), mat);
    double fsize = sqrtf(dir.x * dir.x + dir.y * dir.y); /* C++'s sqrt of a float: float */
    dir = mu.normalize_vector(dir);
    int n = span->len;
    fz_rect bb;
    if (d->trace != NULL) {
        if (dev_chars(ctx, d, span, ctm, &mat, &dir, &fsize, &bb) == 0)
            dev_trace_span(ctx, d, span, type, dir, fsize, bb);
        return;
    }
    if (fabs((double)dir.y) > 0.05 || (double)dir.x <= 0) { /* only horizontal, upright text */
        for (int i = 0; i < n; i++) {
            int uc = span->items[i].ucs;
            if (uc > 0x10FFFF) {
                d->stop = 1;
                return;
            }
            if (uc > 0 && !Py_UNICODE_ISSPACE((Py_UCS4)uc)) d->turned++;
        }
        return;
    }
    for (int i = 0; i < n; i++) {
        int uc = span->items[i].ucs;
        if (uc > 0x10FFFF || (uc < 0 ? uc + d->tlen < 0 : uc >= d->tlen)) {
            d->stop = 1; /* chr() or odd[] would raise: Python's path */
            return;
        }
    }
    if (dev_chars(ctx, d, span, ctm, &mat, &dir, &fsize, &bb) < 0) return;
    PyObject *font = font_name(ctx, d, span->font);
    if (font == NULL) return;
    double b0 = bb.x0, b1 = bb.y0, b2 = bb.x1, b3 = bb.y1, sz = fsize;
    PyObject *trace_size = PyFloat_FromDouble(fsize), *size = NULL;
    if (trace_size == NULL) goto fail;
    if (!(sz != 0) || sz < 1.0) /* Type 3 fonts may report 0: use the box height */
        sz = b3 - b1 > 1.0 ? b3 - b1 : 1.0;
    size = sz == fsize ? Py_NewRef(trace_size) : PyFloat_FromDouble(sz);
    if (size == NULL) goto fail;
    if (!d->twice) { /* text drawn twice? (stroked copy, shadow): checked per span */
        if (type == 1)
            d->twice = 1;
        else {
            int r = seen_twice(&d->spans, n, b0, b1, b2, 0.12 * sz);
            if (r == -2) {
                d->stop = 1;
                goto out;
            }
            if (r < 0) goto fail;
            d->twice = r;
        }
    }
    int bold = mu.font_is_bold(ctx, span->font) != 0;
    if (!bold) {
        PyObject *v = PyObject_GetItem(d->bold_name, font);
        if (v == NULL) goto fail;
        bold = PyObject_IsTrue(v);
        Py_DECREF(v);
        if (bold < 0) goto fail;
        bold = bold || type == 1;
    }
    int inside = b0 >= 0 && b1 >= 0 && b2 <= d->W && b3 <= d->H;
    dev_span_glyphs(d, d->buf, n, size, font, bold ? Py_True : Py_False, inside, trace_size);
    goto out;
fail:
    d->stop = 2;
out:
    Py_XDECREF(trace_size);
    Py_XDECREF(size);
}

static void dev_text(fz_context *ctx, fz_device *dev, const fz_text *text, int type, fz_matrix ctm) {
    TextDev *d = (TextDev *)dev;
    for (fz_text_span *span = text->head; span && !d->stop; span = span->next) dev_span(ctx, d, span, type, ctm);
}

static void dev_fill_text(fz_context *ctx, fz_device *dev, const fz_text *text, fz_matrix ctm, fz_colorspace *cs,
                          const float *color, float alpha, fz_color_params cp) {
    dev_text(ctx, dev, text, 0, ctm);
}

static void dev_stroke_text(fz_context *ctx, fz_device *dev, const fz_text *text, const fz_stroke_state *st,
                            fz_matrix ctm, fz_colorspace *cs, const float *color, float alpha, fz_color_params cp) {
    dev_text(ctx, dev, text, 1, ctm);
}

static void dev_ignore_text(fz_context *ctx, fz_device *dev, const fz_text *text, fz_matrix ctm) {
    dev_text(ctx, dev, text, 3, ctm);
}

/* What PyMuPDF's trace device draws besides text, for nothing: the same
 * callbacks set, so that MuPDF's interpreter does the same work either way. */
static void dev_fill_path(fz_context *ctx, fz_device *dev, const fz_path *p, int eo, fz_matrix m, fz_colorspace *cs,
                          const float *color, float alpha, fz_color_params cp) {}
static void dev_stroke_path(fz_context *ctx, fz_device *dev, const fz_path *p, const fz_stroke_state *st, fz_matrix m,
                            fz_colorspace *cs, const float *color, float alpha, fz_color_params cp) {}
static void dev_fill_shade(fz_context *ctx, fz_device *dev, fz_shade *sh, fz_matrix m, float alpha,
                           fz_color_params cp) {}
static void dev_fill_image(fz_context *ctx, fz_device *dev, fz_image *img, fz_matrix m, float alpha,
                           fz_color_params cp) {}
static void dev_fill_image_mask(fz_context *ctx, fz_device *dev, fz_image *img, fz_matrix m, fz_colorspace *cs,
                                const float *color, float alpha, fz_color_params cp) {}
static void dev_begin_layer(fz_context *ctx, fz_device *dev, const char *name) {}
static void dev_end_layer(fz_context *ctx, fz_device *dev) {}

/* A device of TextDev's size, zeroed, or NULL (MuPDF could not make it). */
static fz_device *dev_new(fz_context *ctx) {
    fz_device *volatile dev = NULL;
    if (!fz_setjmp(*mu.push_try(ctx)))
        if (mu.do_try(ctx)) do {
                dev = mu.new_device_of_size(ctx, sizeof(TextDev));
            } while (0);
    if (mu.do_catch(ctx)) dev = NULL;
    return dev;
}

/* Run the page through the device: 0, or -1 (MuPDF raised; its message is left
 * to get_texttrace, which meets the same error). */
static int dev_run(fz_context *ctx, fz_page *page, fz_device *dev) {
    fz_cookie cookie;
    memset(&cookie, 0, sizeof cookie);
    volatile int failed = 0;
    if (!fz_setjmp(*mu.push_try(ctx)))
        if (mu.do_try(ctx)) do {
                mu.run_page(ctx, page, dev, fz_make_matrix(1, 0, 0, 1, 0, 0), &cookie);
                mu.close_device(ctx, dev);
            } while (0);
    if (mu.do_catch(ctx)) failed = 1;
    return failed ? -1 : 0;
}

/* Run page ``pagep`` through a device set up as ``proto`` says: the device
 * after the run (stop tells how it went; the caller takes what it wants of it
 * and calls dev_done), or NULL when MuPDF could not make one. */
static TextDev *dev_page(fz_context *ctx, unsigned long long pagep, const TextDev *proto) {
    fz_device *dev = dev_new(ctx);
    if (dev == NULL) return NULL;
    TextDev *d = (TextDev *)dev;
    fz_device super = d->super;
    *d = *proto;
    d->super = super;
    d->super.fill_text = dev_fill_text, d->super.stroke_text = dev_stroke_text, d->super.ignore_text = dev_ignore_text;
    d->super.fill_path = dev_fill_path, d->super.stroke_path = dev_stroke_path, d->super.fill_shade = dev_fill_shade;
    d->super.fill_image = dev_fill_image, d->super.fill_image_mask = dev_fill_image_mask;
    d->super.begin_layer = dev_begin_layer, d->super.end_layer = dev_end_layer;
    if (d->trace == NULL) d->glyphs = PyList_New(0), d->fix = PyList_New(0);
    if (d->trace == NULL && (d->glyphs == NULL || d->fix == NULL))
        d->stop = 2;
    else if (dev_run(ctx, (fz_page *)(uintptr_t)pagep, dev) < 0 && !d->stop)
        d->stop = 1; /* MuPDF raised: get_texttrace() meets it again and says what it is */
    return d;
}

static void dev_done(fz_context *ctx, TextDev *d) {
    Py_XDECREF(d->glyphs);
    Py_XDECREF(d->fix);
    grid_free(&d->spans);
    Py_XDECREF(d->trace);
    Py_XDECREF(d->last_name);
    Py_XDECREF(d->last_dir);
    Py_XDECREF(d->last_size);
    PyMem_Free(d->buf);
    mu.drop_device(ctx, &d->super);
}

/* read_page(context, page, W, H, odd, chars_of, bold_name, subset) -> (glyphs, fix, turned, outside, maybe_twice) | None
 *
 * ``context`` and ``page`` are the addresses of PyMuPDF's fz_context and of an
 * unrotated page; the rest is read_trace's. None: read the page through
 * get_texttrace() (see the top of this file). */
static PyObject *read_page(PyObject *self, PyObject *args) {
    unsigned long long ctxp, pagep;
    TextDev proto;
    memset(&proto, 0, sizeof proto);
    Py_buffer odd;
    if (!mu_ready || trace_type == NULL) return PyErr_Format(PyExc_RuntimeError, "device_setup() and setup() first");
    if (!PyArg_ParseTuple(args, "KKddy*O!Op", &ctxp, &pagep, &proto.W, &proto.H, &odd, &PyDict_Type, &proto.chars_of,
                          &proto.bold_name, &proto.subset))
        return NULL;
    proto.table = odd.buf, proto.tlen = odd.len;
    fz_context *ctx = (fz_context *)(uintptr_t)ctxp;
    PyObject *result = NULL;
    TextDev *d = dev_page(ctx, pagep, &proto);
    if (d == NULL)
        result = Py_NewRef(Py_None);
    else {
        if (d->stop == 0)
            result = Py_BuildValue("(OOllO)", d->glyphs, d->fix, d->turned, d->outside, d->twice ? Py_True : Py_False);
        else if (d->stop == 1)
            result = Py_NewRef(Py_None);
        dev_done(ctx, d);
    }
    PyBuffer_Release(&odd);
    return result;
}

/* trace_page(context, page, subset) -> [span dict] | None
 *
 * The page's text trace as get_texttrace() gives it (the keys pdfclean reads:
 * dir, font, wmode, flags, size, type, bbox, chars), for the pages whose marked
 * content is applied to the trace. None: ask get_texttrace(). */
static PyObject *trace_page(PyObject *self, PyObject *args) {
    unsigned long long ctxp, pagep;
    TextDev proto;
    memset(&proto, 0, sizeof proto);
    if (!mu_ready) return PyErr_Format(PyExc_RuntimeError, "device_setup() first");
    if (!PyArg_ParseTuple(args, "KKp", &ctxp, &pagep, &proto.subset)) return NULL;
    if ((proto.trace = PyList_New(0)) == NULL) return NULL;
    fz_context *ctx = (fz_context *)(uintptr_t)ctxp;
    PyObject *result = NULL;
    TextDev *d = dev_page(ctx, pagep, &proto);
    if (d == NULL) {
        Py_DECREF(proto.trace);
        Py_RETURN_NONE;
    }
    if (d->stop == 0)
        result = Py_NewRef(d->trace);
    else if (d->stop == 1)
        result = Py_NewRef(Py_None);
    dev_done(ctx, d);
    return result;
}
