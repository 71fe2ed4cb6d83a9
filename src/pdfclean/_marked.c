/* Marked content, part of the kernel (included by _kernel.c, which defines what it uses: the
 * span keys, the glyph slots): the scan of a page's content (marked/reader.py's _Walk.run,
 * ``marked_scan``) and ActualText applied to MuPDF's text trace (marked/trace.py: ``trace_codes``,
 * ``trace_entries``, ``merge_pieces``, ``replacements``, ``rebuilt``). Each function transcribes
 * the Python named beside it, which stays the reference and the fallback. */
/* ---- marked content: the scan of a page's content (marked/reader.py _Walk.run) ----------------------
 * marked_scan(data, pos, codes, pair, saved, by_name, ones, names, texts, kinds, stack, actual, artifacts,
 *             reversed, actual_open, suspect)
 * walks data from pos as _Walk.run's loop does with the scan pattern (syntax._SCAN, split by
 * _literal_first), taking the tokens it can take whole: strings (codes counted for a font without
 * codespace ranges), the BDC/BMC sequences around strings ("one", "bseq"), Tf, q, Q, EMC (_Walk.close),
 * BDC with inline properties and BMC (_Walk._open_sequence, its text and kind as far as worked out in the
 * caches), comments. It returns (at, codes, pair, actual_open, suspect), at where it stopped: the end, or
 * the start of a token it leaves to Python (the rare ones, or a name, font, property list not yet in
 * the caches), or a position where it is not sure what the pattern matches (Python's finditer from
 * there finds the same match, or the next). Nothing of a token left to Python is changed. Each
 * position is decided as the pattern's alternatives would be, in order: see syntax.py. */

static unsigned char mk_delim[256], mk_ws[256], mk_quiet[256], mk_hexws[256], mk_num[256];
static int mk_ready;
static PyObject *mk_s_ranges, *mk_s_width;

static void mk_tables(void) {
    const char *delim = " \t\n\r\f\v[]()<>{}/%", *ws = " \t\n\r\f\v", *loud = "(</%EBQq";
    for (const char *c = delim; *c; c++) mk_delim[(unsigned char)*c] = 1;
    for (const char *c = ws; *c; c++) mk_ws[(unsigned char)*c] = mk_hexws[(unsigned char)*c] = 1;
    for (int i = 0; i < 256; i++) mk_quiet[i] = 1;
    for (const char *c = loud; *c; c++) mk_quiet[(unsigned char)*c] = 0;
    for (int i = '0'; i <= '9'; i++) mk_hexws[i] = mk_num[i] = 1;
    for (int i = 'a'; i <= 'f'; i++) mk_hexws[i] = mk_hexws[i - 32] = 1;
    mk_num['.'] = 1;
    mk_s_ranges = PyUnicode_InternFromString("ranges");
    mk_s_width = PyUnicode_InternFromString("width");
    mk_ready = mk_s_ranges && mk_s_width;
}

#define MK_END(i) ((i) >= n || mk_delim[d[i]])
#define MK_OP(i) ((i) == 0 || mk_delim[d[(i) - 1]]) /* an operator's first byte: a delimiter before it */

static Py_ssize_t mk_hex(const unsigned char *d, Py_ssize_t n, Py_ssize_t p) { /* <[0-9A-Fa-f\s]*+> at p */
    Py_ssize_t i = p + 1;
    while (i < n && mk_hexws[d[i]]) i++;
    return i < n && d[i] == '>' ? i + 1 : -1;
}

static Py_ssize_t mk_lit(const unsigned char *d, Py_ssize_t n, Py_ssize_t i) { /* _STR_ONCE at i */
    for (i++;;) {
        if (i >= n) return -1;
        unsigned char c = d[i];
        if (c == ')') return i + 1;
        if (c == '\\') {
            if (i + 1 >= n) return -1;
            i += 2;
        } else if (c == '(') { /* one level of nesting */
            for (i++;;) {
                if (i >= n) return -1;
                c = d[i];
                if (c == ')') break;
                if (c == '(') return -1;
                i += c == '\\' ? 2 : 1;
                if (i > n) return -1;
            }
            i++;
        } else
            i++;
    }
}

static Py_ssize_t mk_string(const unsigned char *d, Py_ssize_t n, Py_ssize_t p) { /* _STRING at p */
    if (p >= n) return -1;
    return d[p] == '<' ? mk_hex(d, n, p) : d[p] == '(' ? mk_lit(d, n, p) : -1;
}

static long long mk_hex_codes(const unsigned char *d, Py_ssize_t a, Py_ssize_t b, long long w) { /* _hex_codes */
    long long len = b - a, runs = 0;
    int spaced = 0;
    for (Py_ssize_t i = a; i < b; i++)
        if (d[i] == ' ' || d[i] == '\n') spaced = 1;
    if (spaced) /* len(h) - len(_WS.findall(h)): one per run of white space */
        for (Py_ssize_t i = a; i < b; i++)
            if (mk_ws[d[i]] && (i == a || !mk_ws[d[i - 1]])) runs++;
    len -= runs;
    return w == 1 ? (len + 1) / 2 : len / (2 * w);
}

static long long mk_literal_len(const unsigned char *s, Py_ssize_t len) { /* syntax._literal_len */
    int cont = 0;
    for (Py_ssize_t i = 0; i + 1 < len; i++)
        if (s[i] == '\\' && (s[i + 1] == '\n' || s[i + 1] == '\r')) cont = 1;
    unsigned char *tmp = NULL;
    if (cont) { /* _CONT.sub(b"", b): \\ and a line end (\r\n first) dropped, left to right */
        tmp = PyMem_Malloc(len ? len : 1);
        if (!tmp) {
            PyErr_NoMemory();
            return -1;
        }
        Py_ssize_t o = 0;
        for (Py_ssize_t i = 0; i < len;) {
            if (s[i] == '\\' && i + 1 < len && (s[i + 1] == '\n' || s[i + 1] == '\r'))
                i += s[i + 1] == '\r' && i + 2 < len && s[i + 2] == '\n' ? 3 : 2;
            else
                tmp[o++] = s[i++];
        }
        s = tmp, len = o;
    }
    long long out = 0; /* _ONE.subn: each escape one byte, the rest as it is */
    for (Py_ssize_t i = 0; i < len; out++) {
        if (s[i] == '\\' && i + 1 < len) {
            if (s[i + 1] >= '0' && s[i + 1] <= '7') {
                i += 2;
                for (int k = 0; k < 2 && i < len && s[i] >= '0' && s[i] <= '7'; k++) i++;
            } else
                i += 2;
        } else
            i++;
    }
    PyMem_Free(tmp);
    return out;
}

static long long mk_codes(const unsigned char *d, Py_ssize_t a, Py_ssize_t b, long long w) {
    /* codes of the one string d[a:b] in a font of width w without ranges (_one_string_codes) */
    if (d[a] == '<') return mk_hex_codes(d, a + 1, b - 1, w);
    long long len = b - a - 2;
    if (memchr(d + a, '\\', b - a)) len = mk_literal_len(d + a + 1, b - a - 2);
    if (len < 0) return -1;
    return w == 1 ? len : len / w;
}

static Py_ssize_t mk_run(const unsigned char *d, Py_ssize_t n, Py_ssize_t p, long long w, long long *codes) {
    /* strings from p (_STRING (?:_QUIET _STRING)*+): the end, or -1; their codes added to *codes (w > 0) */
    Py_ssize_t e = mk_string(d, n, p), end = -1;
    while (e >= 0) {
        if (w > 0) {
            long long k = mk_codes(d, p, e, w);
            if (k < 0) return -2;
            *codes += k;
        }
        end = e;
        for (p = e; p < n && mk_quiet[d[p]];) p++;
        e = mk_string(d, n, p);
    }
    return end;
}

static Py_ssize_t mk_emc(const unsigned char *d, Py_ssize_t n, Py_ssize_t p) { /* _QUIET _EMC from p: the end, or -1 */
    while (p < n && mk_quiet[d[p]]) p++;
    if (p + 2 < n && d[p] == 'E' && d[p + 1] == 'M' && d[p + 2] == 'C' && MK_OP(p) && MK_END(p + 3)) return p + 3;
    return -1;
}

static Py_ssize_t mk_props(const unsigned char *d, Py_ssize_t n, Py_ssize_t i) { /* _PROPS at i (at "<<") */
    for (i += 2;;) {
        if (i >= n) return -1;
        unsigned char c = d[i];
        if (c == '>') return i + 1 < n && d[i + 1] == '>' ? i + 2 : -1;
        if (c == ')') return -1;
        if (c == '(') {
            if ((i = mk_lit(d, n, i)) < 0) return -1;
        } else if (c == '<') {
            for (i++; i < n && d[i] != '<' && d[i] != '>';) i++;
            if (i >= n || d[i] != '>') return -1;
            i++;
        } else
            while (i < n && d[i] != '<' && d[i] != '>' && d[i] != '(' && d[i] != ')') i++;
    }
}

static int mk_ends(const unsigned char *d, Py_ssize_t a, Py_ssize_t e, const char *op) { /* d[a:e] ends in op */
    return e - a >= 3 && d[e - 3] == op[0] && d[e - 2] == op[1] && d[e - 1] == op[2];
}

static Py_ssize_t mk_op3(const unsigned char *d, Py_ssize_t n, Py_ssize_t p, const char *op) {
    /* \s*OP(?![^delim]) from p (OP three bytes): its end, or -1 */
    while (p < n && mk_ws[d[p]]) p++;
    return p + 2 < n && d[p] == op[0] && d[p + 1] == op[1] && d[p + 2] == op[2] && MK_END(p + 3) ? p + 3 : -1;
}

typedef struct {
    const unsigned char *d;
    Py_ssize_t n;
    long long codes, w; /* codes so far; the current font's width (mk_width), -1: not looked at yet */
    PyObject *cur;      /* the current (font, counts), owned */
    PyObject *saved, *by_name, *ones, *names, *texts, *kinds, *stack, *actual, *arts, *rev;
    long long open, suspect; /* _Walk.actual_open, _Walk.suspect */
} MkScan;

static long long mk_width(PyObject *pair) {
    /* the width of the font of (font, counts); 0 when it has codespace ranges (its codes counted in Python) */
    PyObject *r = PyObject_GetAttr(PyTuple_GET_ITEM(pair, 0), mk_s_ranges);
    if (!r) {
        PyErr_Clear();
        return 0;
    }
    int none = r == Py_None;
    Py_DECREF(r);
    if (!none) return 0;
    PyObject *w = PyObject_GetAttr(PyTuple_GET_ITEM(pair, 0), mk_s_width);
    if (!w) {
        PyErr_Clear();
        return 0;
    }
    long long v = PyLong_Check(w) ? PyLong_AsLongLong(w) : 0;
    Py_DECREF(w);
    if (v == -1 && PyErr_Occurred()) PyErr_Clear(), v = 0;
    return v > 0 ? v : 0;
}

static int mk_is(PyObject *s, const char *name) { return PyUnicode_CompareWithASCIIString(s, name) == 0; }

static PyObject *mk_lookup(PyObject *dict, const unsigned char *d, Py_ssize_t a, Py_ssize_t b) {
    /* dict[d[a:b]], borrowed; NULL when missing (or on an error, set) */
    PyObject *k = PyBytes_FromStringAndSize((const char *)d + a, b - a);
    if (!k) return NULL;
    PyObject *v = PyDict_GetItemWithError(dict, k);
    Py_DECREF(k);
    return v;
}

#define MK_MISSING() (PyErr_Occurred() ? -2 : -1) /* a lookup that gave nothing: an error, or Python's token */

static int mk_add(PyObject *list, PyObject *t) {
    if (!t) return -1;
    int r = PyList_Append(list, t);
    Py_DECREF(t);
    return r;
}

static PyObject *mk_kind(MkScan *s) {
    /* an artifact's kind when it declares none: the innermost open sequence's that has one (borrowed) */
    for (Py_ssize_t i = PyList_GET_SIZE(s->stack) - 1; i >= 0; i--) {
        PyObject *t = PyList_GET_ITEM(s->stack, i);
        if (PyTuple_CheckExact(t) && PyTuple_GET_SIZE(t) == 4 && PyTuple_GET_ITEM(t, 2) != Py_None)
            return PyTuple_GET_ITEM(t, 2);
    }
    return Py_None;
}

static Py_ssize_t mk_props_seq(MkScan *s, Py_ssize_t p, Py_ssize_t a, Py_ssize_t ne, Py_ssize_t q) {
    /* /tag <<props>> BDC at p (the tag d[a:ne], the properties at q): "one" (strings and EMC follow), or
     * "props" (a sequence opened); the end, p + 1 when neither matches, -1: Python's, -2: an error */
    const unsigned char *d = s->d;
    Py_ssize_t n = s->n, r = mk_props(d, n, q);
    if (r < 0) return p + 1;
    Py_ssize_t e = mk_op3(d, n, r, "BDC");
    if (e < 0) return p + 1;
    Py_ssize_t j = e;
    while (j < n && mk_quiet[d[j]]) j++;
    Py_ssize_t se = mk_run(d, n, j, 0, NULL), end = se >= 0 ? mk_emc(d, n, se) : -1;
    if (end >= 0) { /* one: its text looked up (_Walk._one, cached in ones) */
        if (s->w < 0) s->w = mk_width(s->cur);
        if (s->w == 0) return -1;
        long long k = 0;
        if (mk_run(d, n, j, s->w, &k) == -2) return -2;
        PyObject *key = Py_BuildValue("(y#y#)", d + a, ne - a, d + q, r - q);
        if (!key) return -2;
        PyObject *text = PyDict_GetItemWithError(s->ones, key);
        Py_DECREF(key);
        if (!text) return MK_MISSING();
        if (text != Py_None && !PyUnicode_CheckExact(text)) return -1; /* a sequence that does more */
        if (text != Py_None && k && !s->open && !s->suspect && mk_add(s->actual, Py_BuildValue("(LLO)", s->codes, s->codes + k, text)))
            return -2;
        s->codes += k;
        return end;
    }
    PyObject *tag = mk_lookup(s->names, d, a, ne), *kind = Py_None;
    if (!tag) return MK_MISSING();
    if (!PyUnicode_Check(tag)) return -1;
    if (mk_is(tag, "/Artifact")) { /* Reader.pagination, as far as worked out; else the enclosing kind */
        if (!(kind = mk_lookup(s->kinds, d, q, r))) return MK_MISSING();
        if (kind == Py_None) kind = mk_kind(s);
    }
    PyObject *text = mk_lookup(s->texts, d, q, r); /* Reader.actual_text, as far as worked out */
    if (!text && PyErr_Occurred()) return -2;
    if (!text) { /* not worked out yet: without /ActualText, None (Typst: a new MCID in every list) */
        static const char key[] = "/ActualText";
        for (Py_ssize_t i = q; i + 11 <= r; i++)
            if (d[i] == '/' && !memcmp(d + i, key, 11)) return -1;
        text = Py_None;
    } else if (text != Py_None && !PyUnicode_CheckExact(text))
        return -1;
    if (mk_add(s->stack, Py_BuildValue("(OLOO)", tag, s->codes, kind, text))) return -2;
    s->suspect += mk_is(tag, "/TagSuspect");
    s->open += text != Py_None;
    return e;
}

static Py_ssize_t mk_bmc_seq(MkScan *s, Py_ssize_t p, Py_ssize_t a, Py_ssize_t ne, Py_ssize_t q) {
    /* /tag BMC at p (BMC at q): "bseq" (perhaps Tf, strings and EMC follow), or "bmc" (a sequence opened) */
    const unsigned char *d = s->d;
    Py_ssize_t n = s->n, j = q + 3, k0, ta = -1, te = -1;
    while (j < n && mk_quiet[d[j]]) j++;
    k0 = j;
    if (j < n && d[j] == '/') { /* /font size Tf, the font's name not ending in BMC */
        Py_ssize_t b = j + 1, be = b, i;
        while (be < n && !mk_delim[d[be]]) be++;
        if (be > b && !mk_ends(d, b, be, "BMC") && be < n && mk_ws[d[be]]) {
            for (i = be; i < n && mk_ws[d[i]];) i++;
            if (i < n && (d[i] == '+' || d[i] == '-')) i++;
            Py_ssize_t dg = i;
            while (i < n && mk_num[d[i]]) i++;
            if (i > dg && i < n && mk_ws[d[i]]) {
                while (i < n && mk_ws[d[i]]) i++;
                if (i + 1 < n && d[i] == 'T' && d[i + 1] == 'f' && MK_END(i + 2)) {
                    ta = b, te = be;
                    for (k0 = i + 2; k0 < n && mk_quiet[d[k0]];) k0++;
                }
            }
        }
    }
    Py_ssize_t se = mk_run(d, n, k0, 0, NULL), end = se >= 0 ? mk_emc(d, n, se) : -1;
    PyObject *tag = mk_lookup(s->names, d, a, ne);
    if (!tag) return MK_MISSING();
    if (!PyUnicode_Check(tag)) return -1;
    PyObject *kind = mk_is(tag, "/Artifact") ? mk_kind(s) : Py_None;
    if (end < 0) {
        if (mk_add(s->stack, Py_BuildValue("(OLOO)", tag, s->codes, kind, Py_None))) return -2;
        s->suspect += mk_is(tag, "/TagSuspect");
        return q + 3;
    }
    PyObject *pair = s->cur;
    long long w = s->w;
    if (ta >= 0) {
        pair = mk_lookup(s->by_name, d, ta, te);
        if (!pair) return MK_MISSING();
        if (!PyTuple_CheckExact(pair) || PyTuple_GET_SIZE(pair) != 2) return -1;
        w = -1;
    }
    if (w < 0) w = mk_width(pair);
    if (w == 0) return -1;
    long long k = 0;
    if (mk_run(d, n, k0, w, &k) == -2) return -2;
    /* _Walk._sequence: opened and closed round the strings (a TagSuspect's changes nothing) */
    if (k && mk_is(tag, "/ReversedChars") && mk_add(s->rev, Py_BuildValue("(LL)", s->codes, s->codes + k))) return -2;
    if (k && kind != Py_None && mk_add(s->arts, Py_BuildValue("(LLO)", s->codes, s->codes + k, kind))) return -2;
    s->codes += k;
    if (pair != s->cur) {
        Py_INCREF(pair);
        Py_SETREF(s->cur, pair);
    }
    s->w = w;
    return end;
}

static Py_ssize_t mk_slash(MkScan *s, Py_ssize_t p) {
    /* the alternatives that start with a name (at p): as mk_props_seq returns */
    const unsigned char *d = s->d;
    Py_ssize_t n = s->n, a = p + 1, ne = a, q;
    while (ne < n && !mk_delim[d[ne]]) ne++;
    if (ne == a) return p + 1;
    if (mk_ends(d, a, ne, "BMC") || mk_ends(d, a, ne, "BDC")) return -1; /* the tag may end before them */
    for (q = ne; q < n && mk_ws[d[q]];) q++;
    if (q + 1 < n && d[q] == '<' && d[q + 1] == '<') return mk_props_seq(s, p, a, ne, q);
    if (q < n && d[q] == '/') { /* /tag /name BDC: Python's */
        Py_ssize_t b = q + 1, me = b;
        while (me < n && !mk_delim[d[me]]) me++;
        if (me == b) return p + 1;
        return mk_ends(d, b, me, "BDC") || mk_op3(d, n, me, "BDC") >= 0 ? -1 : p + 1;
    }
    if (mk_op3(d, n, q, "BMC") >= 0) return mk_bmc_seq(s, p, a, ne, q);
    if (q == ne) return p + 1;
    if (q + 1 < n && d[q] == 'D' && d[q + 1] == 'o' && MK_END(q + 2)) return -1; /* a form drawn: Python's */
    Py_ssize_t i = q; /* /font size Tf */
    if (i < n && (d[i] == '+' || d[i] == '-')) i++;
    Py_ssize_t dg = i;
    while (i < n && mk_num[d[i]]) i++;
    if (i == dg || i >= n || !mk_ws[d[i]]) return p + 1;
    while (i < n && mk_ws[d[i]]) i++;
    if (!(i + 1 < n && d[i] == 'T' && d[i + 1] == 'f' && MK_END(i + 2))) return p + 1;
    PyObject *pair = mk_lookup(s->by_name, d, a, ne);
    if (!pair) return MK_MISSING();
    if (!PyTuple_CheckExact(pair) || PyTuple_GET_SIZE(pair) != 2) return -1;
    Py_INCREF(pair);
    Py_SETREF(s->cur, pair);
    s->w = -1;
    return i + 2;
}

static Py_ssize_t mk_op(MkScan *s, Py_ssize_t p) {
    /* EMC, BI, BDC, q, Q at p (a delimiter before): as mk_props_seq returns */
    const unsigned char *d = s->d;
    Py_ssize_t n = s->n;
    unsigned char c = d[p];
    if (c == 'E') {
        if (!(p + 2 < n && d[p + 1] == 'M' && d[p + 2] == 'C' && MK_END(p + 3))) return p + 1;
        Py_ssize_t len = PyList_GET_SIZE(s->stack);
        if (len) { /* _Walk.close of a sequence that gives no text and no kind */
            PyObject *top = PyList_GET_ITEM(s->stack, len - 1), *tag, *kind, *text;
            if (!PyTuple_CheckExact(top) || PyTuple_GET_SIZE(top) != 4 || !PyLong_CheckExact(PyTuple_GET_ITEM(top, 1)) ||
                !PyUnicode_Check(tag = PyTuple_GET_ITEM(top, 0)))
                return -1;
            kind = PyTuple_GET_ITEM(top, 2), text = PyTuple_GET_ITEM(top, 3);
            long long start = PyLong_AsLongLong(PyTuple_GET_ITEM(top, 1)), end = s->codes;
            if (start == -1 && PyErr_Occurred()) return -2;
            Py_INCREF(top); /* popped first: its items stay alive in it */
            int bad = PyList_SetSlice(s->stack, len - 1, len, NULL) < 0;
            s->suspect -= !bad && mk_is(tag, "/TagSuspect");
            if (!bad && text != Py_None && --s->open == 0 && end > start && !s->suspect)
                bad = mk_add(s->actual, Py_BuildValue("(LLO)", start, end, text));
            if (!bad && kind != Py_None && end > start) bad = mk_add(s->arts, Py_BuildValue("(LLO)", start, end, kind));
            if (!bad && end > start && mk_is(tag, "/ReversedChars"))
                bad = mk_add(s->rev, Py_BuildValue("(LL)", start, end));
            Py_DECREF(top);
            if (bad) return -2;
        }
        return p + 3;
    }
    if (c == 'B')
        return (p + 1 < n && d[p + 1] == 'I' && MK_END(p + 2)) ||
                       (p + 2 < n && d[p + 1] == 'D' && d[p + 2] == 'C' && MK_END(p + 3))
                   ? -1 : p + 1; /* an inline image, a BDC after a dictionary: Python's */
    if (!MK_END(p + 1)) return p + 1;
    if (c == 'q') return PyList_Append(s->saved, s->cur) < 0 ? -2 : p + 1;
    Py_ssize_t len = PyList_GET_SIZE(s->saved);
    if (len) { /* Q: the font at the q */
        PyObject *top = PyList_GET_ITEM(s->saved, len - 1);
        if (!PyTuple_CheckExact(top) || PyTuple_GET_SIZE(top) != 2) return -1;
        Py_INCREF(top);
        Py_SETREF(s->cur, top);
        s->w = -1;
        if (PyList_SetSlice(s->saved, len - 1, len, NULL) < 0) return -2;
    }
    return p + 1;
}

static PyObject *marked_scan(PyObject *self, PyObject *args) {
    Py_buffer buf;
    Py_ssize_t p;
    MkScan s;
    PyObject *result = NULL;
    if (!PyArg_ParseTuple(args, "y*nLO!O!O!O!O!O!O!O!O!O!O!LL", &buf, &p, &s.codes, &PyTuple_Type, &s.cur,
                          &PyList_Type, &s.saved, &PyDict_Type, &s.by_name, &PyDict_Type, &s.ones, &PyDict_Type,
                          &s.names, &PyDict_Type, &s.texts, &PyDict_Type, &s.kinds, &PyList_Type, &s.stack,
                          &PyList_Type, &s.actual, &PyList_Type, &s.arts, &PyList_Type, &s.rev, &s.open, &s.suspect))
        return NULL;
    if (!mk_ready) mk_tables();
    if (!mk_ready || PyTuple_GET_SIZE(s.cur) != 2 || p < 0 || p > buf.len) {
        PyBuffer_Release(&buf);
        if (PyErr_Occurred()) return NULL;
        Py_RETURN_NONE;
    }
    Py_INCREF(s.cur);
    s.d = buf.buf, s.n = buf.len, s.w = -1;
    const unsigned char *d = s.d;
    Py_ssize_t n = s.n;
    while (p < n) {
        unsigned char c = d[p];
        Py_ssize_t r;
        if (mk_quiet[c]) {
            p++;
            continue;
        }
        if (c == '(' || c == '<') {
            Py_ssize_t e = mk_string(d, n, p);
            if (e < 0) {
                if (c == '<' && p + 1 < n && d[p + 1] == '<') break; /* a dictionary: Python's */
                p++;
                continue;
            }
            if (s.w < 0) s.w = mk_width(s.cur);
            if (s.w == 0) break;
            long long k = 0;
            if ((e = mk_run(d, n, p, s.w, &k)) == -2) goto fail;
            s.codes += k;
            p = e;
            continue;
        }
        if (c == '%') {
            while (p < n && d[p] != '\r' && d[p] != '\n') p++;
            continue;
        }
        r = c == '/' ? mk_slash(&s, p) : MK_OP(p) ? mk_op(&s, p) : p + 1;
        if (r == -1) break;
        if (r == -2) goto fail;
        p = r;
    }
    result = Py_BuildValue("(nLOLL)", p, s.codes, s.cur, s.open, s.suspect);
fail:
    Py_DECREF(s.cur);
    PyBuffer_Release(&buf);
    return result;
}

/* The glyph id of a text-trace entry (its item 1), into ``*gid``: 0, or -1 when the entry is
 * not a tuple of two or more whose item 1 is an int that fits a long (the caller gives up). */
static int entry_gid(PyObject *e, long *gid) {
    if (!PyTuple_CheckExact(e) || PyTuple_GET_SIZE(e) < 2 || !PyLong_CheckExact(PyTuple_GET_ITEM(e, 1)))
        return -1;
    int overflow;
    *gid = PyLong_AsLongAndOverflow(PyTuple_GET_ITEM(e, 1), &overflow);
    return overflow || (*gid == -1 && PyErr_Occurred()) ? (PyErr_Clear(), -1) : 0;
}

/* A span's entries (its "chars"), borrowed: a tuple or a list; NULL (no error) when the span is
 * not a dict holding one, NULL with an error when the lookup failed. */
static PyObject *span_chars(PyObject *span) {
    if (!PyDict_CheckExact(span)) return NULL;
    PyObject *chars = PyDict_GetItemWithError(span, k_chars);
    if (chars != NULL && !PyTuple_CheckExact(chars) && !PyList_CheckExact(chars)) return NULL;
    return chars;
}

/* trace_codes(trace) -> int | None: marked.trace._trace_codes_py (the entries whose glyph id is
 * not -1); None when an entry is not as the text trace makes it. */
static PyObject *trace_codes(PyObject *self, PyObject *args) {
    PyObject *trace;
    if (!PyArg_ParseTuple(args, "O!", &PyList_Type, &trace)) return NULL;
    Py_ssize_t codes = 0;
    for (Py_ssize_t s = 0; s < PyList_GET_SIZE(trace); s++) {
        PyObject *chars = span_chars(PyList_GET_ITEM(trace, s));
        if (chars == NULL) {
            if (PyErr_Occurred()) return NULL;
            Py_RETURN_NONE;
        }
        Py_ssize_t n = PySequence_Fast_GET_SIZE(chars);
        PyObject **items = PySequence_Fast_ITEMS(chars);
        for (Py_ssize_t i = 0; i < n; i++) {
            long gid;
            if (entry_gid(items[i], &gid) < 0) Py_RETURN_NONE;
            codes += gid != -1;
        }
    }
    return PyLong_FromSsize_t(codes);
}

/* trace_entries(trace) -> (entries, off, code_at) | None: marked.trace._entries_py (the entries in
 * one list, where each span's start and the end, the entry each code starts at and the end);
 * None when an entry is not as the text trace makes it. */
static PyObject *trace_entries(PyObject *self, PyObject *args) {
    PyObject *trace;
    if (!PyArg_ParseTuple(args, "O!", &PyList_Type, &trace)) return NULL;
    Py_ssize_t spans = PyList_GET_SIZE(trace), total = 0;
    for (Py_ssize_t s = 0; s < spans; s++) {
        PyObject *chars = span_chars(PyList_GET_ITEM(trace, s));
        if (chars == NULL) {
            if (PyErr_Occurred()) return NULL;
            Py_RETURN_NONE;
        }
        total += PySequence_Fast_GET_SIZE(chars);
    }
    PyObject *entries = PyList_New(total), *off = PyList_New(spans + 1), *code_at = PyList_New(0), *v;
    if (entries == NULL || off == NULL || code_at == NULL) goto fail;
    Py_ssize_t at = 0;
    for (Py_ssize_t s = 0; s < spans; s++) {
        PyObject *chars = span_chars(PyList_GET_ITEM(trace, s));  /* (the same: nothing ran between) */
        if ((v = PyLong_FromSsize_t(at)) == NULL) goto fail;
        PyList_SET_ITEM(off, s, v);
        Py_ssize_t n = PySequence_Fast_GET_SIZE(chars);
        PyObject **items = PySequence_Fast_ITEMS(chars);
        for (Py_ssize_t i = 0; i < n; i++, at++) {
            long gid;
            if (entry_gid(items[i], &gid) < 0) {
                Py_DECREF(entries), Py_DECREF(off), Py_DECREF(code_at);
                Py_RETURN_NONE;
            }
            Py_INCREF(items[i]);
            PyList_SET_ITEM(entries, at, items[i]);
            if (gid != -1) {
                if ((v = PyLong_FromSsize_t(at)) == NULL) goto fail;
                int bad = PyList_Append(code_at, v);
                Py_DECREF(v);
                if (bad < 0) goto fail;
            }
        }
    }
    if ((v = PyLong_FromSsize_t(at)) == NULL) goto fail;
    PyList_SET_ITEM(off, spans, v);
    if ((v = PyLong_FromSsize_t(at)) == NULL) goto fail;
    if (PyList_Append(code_at, v) < 0) {
        Py_DECREF(v);
        goto fail;
    }
    Py_DECREF(v);
    return Py_BuildValue("(NNN)", entries, off, code_at);
fail:
    Py_XDECREF(entries), Py_XDECREF(off), Py_XDECREF(code_at);
    return NULL;
}

/* ---- marked.trace._replace_py, compiled ---------------------------------------------------- */

/* One text-trace entry as the ActualText replacements read it: its code point, its pen point's
 * y and its box (the box's float objects borrowed, so that a union box holds the trace's own). */
typedef struct {
    long uc;
    PyObject *entry, *gid, *origin;
    double oy, b[4];
    PyObject *fb[4];
} RpEntry;

typedef struct {
    RpEntry *e;
    Py_ssize_t n, *code_at, last, *off, noff;
    double *size;          /* each span's size, ``or 1.0`` */
    unsigned char *covered; /* codes [0, last) */
    PyObject *raw, *restates, *same, *stranded, *part_of, *account;
} Rp;

static Py_ssize_t rp_bisect_right(const Py_ssize_t *a, Py_ssize_t n, Py_ssize_t x) {
    Py_ssize_t lo = 0, hi = n;
    while (lo < hi) {
        Py_ssize_t mid = (lo + hi) / 2;
        if (x < a[mid]) hi = mid;
        else lo = mid + 1;
    }
    return lo;
}

/* A Py_ssize_t from an exact int, into ``*v``; 0 when it is none (no error set). */
static int rp_index(PyObject *o, Py_ssize_t *v) {
    if (!PyLong_CheckExact(o)) return 0;
    *v = PyLong_AsSsize_t(o);
    if (*v == -1 && PyErr_Occurred()) return PyErr_Clear(), 0;
    return 1;
}

static int rp_is_nul(PyObject *text) {  /* text == "\0" */
    return PyUnicode_GET_LENGTH(text) == 1 && PyUnicode_READ_CHAR(text, 0) == 0;
}

/* _apart: is code ``k`` surely no piece of a cluster whose text is ``text``? */
static int rp_apart(Rp *r, Py_ssize_t k, PyObject *text) {
    Py_ssize_t i = r->code_at[k];
    if (r->code_at[k + 1] != i + 1 || rp_is_nul(text)) return 0;
    long uc = r->e[i].uc;
    return uc <= 0 || PyUnicode_FindChar(text, (Py_UCS4)uc, 0, PyUnicode_GET_LENGTH(text), 1) == -1;
}

/* truth of ``fn(args...)`` or of ``table[(a, b)]``: 1, 0, or -1 with an error set */
static int rp_truth(PyObject *v) {
    if (v == NULL) return -1;
    int t = PyObject_IsTrue(v);
    Py_DECREF(v);
    return t;
}

static int rp_lookup(PyObject *table, PyObject *a, PyObject *b) {
    PyObject *key = PyTuple_Pack(2, a, b);
    if (key == NULL) return -1;
    int t = rp_truth(PyObject_GetItem(table, key));
    Py_DECREF(key);
    return t;
}

static PyObject *rp_slice(Rp *r, PyObject *entries, Py_ssize_t a, Py_ssize_t b) {
    return PyList_GetSlice(entries, a, b);
}

/* _replacements' ``joins``: is code ``k``, just outside [start, end), a piece of that cluster? */
static int rp_joins(Rp *r, PyObject *entries, Py_ssize_t k, Py_ssize_t start, Py_ssize_t end, PyObject *text) {
    Py_ssize_t i = r->code_at[k], i2 = r->code_at[k + 1];
    if (i2 == i + 1 && !rp_is_nul(text)) {
        long uc = r->e[i].uc;
        if (uc <= 0 || PyUnicode_FindChar(text, (Py_UCS4)uc, 0, PyUnicode_GET_LENGTH(text), 1) == -1) return 0;
    }
    PyObject *glyph = rp_slice(r, entries, i, i2), *group = NULL;
    if (glyph == NULL || (group = rp_slice(r, entries, r->code_at[start], r->code_at[end])) == NULL) {
        Py_XDECREF(glyph);
        return -1;
    }
    int t = rp_truth(PyObject_CallFunctionObjArgs(r->part_of, glyph, group, text, NULL));
    Py_DECREF(glyph), Py_DECREF(group);
    return t;
}

/* _replacement: the entries [i, j) become under ``text`` (a new list, counted with ``account``),
 * or Py_None (borrowed: nothing changes), or NULL with an error set. */
static PyObject *rp_replacement(Rp *r, Py_ssize_t i, Py_ssize_t j, PyObject *text) {
    PyObject *old;
    if (j - i == 1) {
        Py_UCS4 c = (Py_UCS4)r->e[i].uc;
        old = r->e[i].uc > 0 ? PyUnicode_FromKindAndData(PyUnicode_4BYTE_KIND, &c, 1) : PyUnicode_New(0, 0);
    } else if (j > i) {
        Py_UCS4 *buf = PyMem_Malloc(sizeof(Py_UCS4) * (size_t)(j - i));
        if (buf == NULL) return PyErr_NoMemory();
        Py_ssize_t m = 0;
        for (Py_ssize_t k = i; k < j; k++)
            if (r->e[k].uc > 0) buf[m++] = (Py_UCS4)r->e[k].uc;
        old = PyUnicode_FromKindAndData(PyUnicode_4BYTE_KIND, buf, m);
        PyMem_Free(buf);
    } else
        return Py_None;
    if (old == NULL) return NULL;
    int t = rp_lookup(r->same, old, text);
    if (t == 0) t = rp_truth(PyObject_CallFunctionObjArgs(r->stranded, old, text, NULL));
    if (t != 0) {
        Py_DECREF(old);
        return t < 0 ? NULL : Py_None;
    }
    double size = r->size[rp_bisect_right(r->off, r->noff, i) - 1];
    RpEntry *g = r->e + i;
    Py_ssize_t n = j - i;
    double lo = g[0].oy, hi = g[0].oy;  /* max(ys) - min(ys), as Python picks them */
    for (Py_ssize_t k = 1; k < n; k++) {
        if (g[k].oy > hi) hi = g[k].oy;
        if (g[k].oy < lo) lo = g[k].oy;
    }
    if (hi - lo > 0.5 * size) {
        Py_DECREF(old);
        return Py_None;
    }
    int any_inked = 0;
    for (Py_ssize_t k = 0; k < n && !any_inked; k++) any_inked = g[k].b[2] - g[k].b[0] > 0.01;
    Py_ssize_t pick[4] = {-1, -1, -1, -1};  /* the entries whose x0, y0, x1, y1 the union box takes */
    Py_ssize_t base = 0;
    for (Py_ssize_t k = 0; k < n; k++) {
        int inked = !any_inked || g[k].b[2] - g[k].b[0] > 0.01;
        if (inked && (pick[0] < 0 || g[k].b[0] < g[pick[0]].b[0])) pick[0] = k;
        if (pick[1] < 0 || g[k].b[1] < g[pick[1]].b[1]) pick[1] = k;
        if (inked && (pick[2] < 0 || g[k].b[2] > g[pick[2]].b[2])) pick[2] = k;
        if (pick[3] < 0 || g[k].b[3] > g[pick[3]].b[3]) pick[3] = k;
        if (k && g[k].b[2] - g[k].b[0] > g[base].b[2] - g[base].b[0]) base = k;
    }
    PyObject *done = PyObject_CallFunctionObjArgs(r->account, r->raw, old, text, NULL);
    Py_DECREF(old);
    if (done == NULL) return NULL;
    Py_DECREF(done);
    PyObject *box = PyTuple_Pack(4, g[pick[0]].fb[0], g[pick[1]].fb[1], g[pick[2]].fb[2], g[pick[3]].fb[3]);
    if (box == NULL) return NULL;
    Py_ssize_t len = PyUnicode_GET_LENGTH(text);
    PyObject *out = PyList_New(len), *more = PyLong_FromLong(-1);
    if (out == NULL || more == NULL) goto fail;
    for (Py_ssize_t k = 0; k < len; k++) {
        PyObject *cp = PyLong_FromLong((long)PyUnicode_READ_CHAR(text, k));
        if (cp == NULL) goto fail;
        PyObject *t4 = PyTuple_Pack(4, cp, k ? more : g[0].gid, g[base].origin, box);
        Py_DECREF(cp);
        if (t4 == NULL) goto fail;
        PyList_SET_ITEM(out, k, t4);
    }
    Py_DECREF(box), Py_DECREF(more);
    return out;
fail:
    Py_DECREF(box), Py_XDECREF(out), Py_XDECREF(more);
    return NULL;
}

/* Reads the trace's entries, code and span tables for replacements(); 0 (nothing set) when one
 * is not as _entries and the text trace make them, -1 with an error set when out of memory. */
static int rp_read(Rp *r, PyObject *trace, PyObject *entries, PyObject *off, PyObject *code_at) {
    r->n = PyList_GET_SIZE(entries);
    r->noff = PyList_GET_SIZE(off);
    r->last = PyList_GET_SIZE(code_at) - 1;
    if (r->last < 0 || r->noff != PyList_GET_SIZE(trace) + 1) return 0;
    r->e = PyMem_Malloc(sizeof(RpEntry) * (size_t)(r->n ? r->n : 1));
    r->code_at = PyMem_Malloc(sizeof(Py_ssize_t) * (size_t)(r->last + 1));
    r->off = PyMem_Malloc(sizeof(Py_ssize_t) * (size_t)r->noff);
    r->size = PyMem_Malloc(sizeof(double) * (size_t)r->noff);
    r->covered = PyMem_Calloc((size_t)(r->last ? r->last : 1), 1);
    if (!r->e || !r->code_at || !r->off || !r->size || !r->covered) return PyErr_NoMemory(), -1;
    for (Py_ssize_t k = 0; k <= r->last; k++)
        if (!rp_index(PyList_GET_ITEM(code_at, k), &r->code_at[k]) || r->code_at[k] < 0 || r->code_at[k] > r->n)
            return 0;
    for (Py_ssize_t k = 0; k < r->noff; k++)
        if (!rp_index(PyList_GET_ITEM(off, k), &r->off[k]) || r->off[k] < 0 || r->off[k] > r->n) return 0;
    if (r->off[0] != 0 || r->off[r->noff - 1] != r->n) return 0;  /* (as _entries makes it) */
    for (Py_ssize_t s = 0; s + 1 < r->noff; s++) {
        PyObject *span = PyList_GET_ITEM(trace, s), *size = item(span, k_size);
        if (size == NULL || !PyFloat_CheckExact(size)) return PyErr_Occurred() ? -1 : 0;
        r->size[s] = PyFloat_AS_DOUBLE(size) != 0.0 ? PyFloat_AS_DOUBLE(size) : 1.0;  /* ``or 1.0`` */
    }
    for (Py_ssize_t k = 0; k < r->n; k++) {
        PyObject *e = PyList_GET_ITEM(entries, k), *o, *b;
        RpEntry *x = r->e + k;
        int overflow;
        if (!PyTuple_CheckExact(e) || PyTuple_GET_SIZE(e) != 4 || !PyLong_CheckExact(PyTuple_GET_ITEM(e, 0)))
            return 0;
        x->uc = PyLong_AsLongAndOverflow(PyTuple_GET_ITEM(e, 0), &overflow);
        if (overflow || x->uc > 0x10FFFF || (x->uc == -1 && PyErr_Occurred())) return PyErr_Clear(), 0;
        o = PyTuple_GET_ITEM(e, 2), b = PyTuple_GET_ITEM(e, 3);
        if (!PyTuple_CheckExact(o) || PyTuple_GET_SIZE(o) < 2 || !PyFloat_CheckExact(PyTuple_GET_ITEM(o, 1)) ||
            !PyTuple_CheckExact(b) || PyTuple_GET_SIZE(b) != 4)
            return 0;
        for (int q = 0; q < 4; q++) {
            x->fb[q] = PyTuple_GET_ITEM(b, q);
            if (!PyFloat_CheckExact(x->fb[q])) return 0;
            x->b[q] = PyFloat_AS_DOUBLE(x->fb[q]);
        }
        x->entry = e, x->gid = PyTuple_GET_ITEM(e, 1), x->origin = o;
        x->oy = PyFloat_AS_DOUBLE(PyTuple_GET_ITEM(o, 1));
    }
    return 1;
}

/* replacements(trace, actual, entries, off, code_at, raw, restates, same, stranded, part_of,
 * account) -> (reps, touched) | None: marked.trace._replace_py, the loop over the ActualText
 * sequences ``actual`` (merged), transcribed; the tables and the rare tests (``part_of``,
 * ``stranded``) and the account are Python's. None, nothing done, when an input is not as
 * _entries, the text trace and the marked-content reader make it. */
static PyObject *replacements(PyObject *self, PyObject *args) {
    PyObject *trace, *actual, *entries, *off, *code_at, *reps = NULL, *touched = NULL;
    Rp r;
    memset(&r, 0, sizeof r);
    if (!PyArg_ParseTuple(args, "O!O!O!O!O!OOOOOO", &PyList_Type, &trace, &PyList_Type, &actual, &PyList_Type,
                          &entries, &PyList_Type, &off, &PyList_Type, &code_at, &r.raw, &r.restates, &r.same,
                          &r.stranded, &r.part_of, &r.account))
        return NULL;
    int ok = rp_read(&r, trace, entries, off, code_at);
    Py_ssize_t na = PyList_GET_SIZE(actual);
    for (Py_ssize_t q = 0; ok > 0 && q < na; q++) {  /* (start, end, text), 0 <= start <= last, 0 <= end */
        PyObject *t = PyList_GET_ITEM(actual, q);
        Py_ssize_t a, b;
        ok = PyTuple_CheckExact(t) && PyTuple_GET_SIZE(t) == 3 && rp_index(PyTuple_GET_ITEM(t, 0), &a) &&
             rp_index(PyTuple_GET_ITEM(t, 1), &b) && PyUnicode_CheckExact(PyTuple_GET_ITEM(t, 2)) && a >= 0 &&
             a <= r.last && b >= 0;
        for (Py_ssize_t c = a; ok && c < b && c < r.last; c++) r.covered[c] = 1;
    }
    if (ok <= 0) goto done;
    if ((reps = PyList_New(0)) == NULL || (touched = PySet_New(NULL)) == NULL) goto fail;
    for (Py_ssize_t q = 0; q < na; q++) {
        PyObject *t = PyList_GET_ITEM(actual, q), *text = PyTuple_GET_ITEM(t, 2);
        Py_ssize_t start = PyLong_AsSsize_t(PyTuple_GET_ITEM(t, 0)), end = PyLong_AsSsize_t(PyTuple_GET_ITEM(t, 1));
        if (end > r.last) end = r.last;
        if (end == start + 1) {  /* one code of one entry, restated, no piece beside it: nothing changes */
            Py_ssize_t i = r.code_at[start];
            if (r.code_at[end] == i + 1) {
                int same = rp_lookup(r.restates, PyTuple_GET_ITEM(r.e[i].entry, 0), text);
                if (same < 0) goto fail;
                if (same && (start == 0 || r.covered[start - 1] || rp_apart(&r, start - 1, text)) &&
                    (end >= r.last || r.covered[end] || rp_apart(&r, end, text)))
                    continue;
            }
        }
        int j;
        while (start > 0 && !r.covered[start - 1] && (j = rp_joins(&r, entries, start - 1, start, end, text)) != 0) {
            if (j < 0) goto fail;
            start--;
        }
        while (end < r.last && !r.covered[end] && (j = rp_joins(&r, entries, end, start, end, text)) != 0) {
            if (j < 0) goto fail;
            end++;
        }
        for (Py_ssize_t c = start; c < end; c++) r.covered[c] = 1;
        Py_ssize_t i = r.code_at[start], jj = r.code_at[end];
        PyObject *rep = rp_replacement(&r, i, jj, text);
        if (rep == NULL) goto fail;
        if (rep == Py_None) continue;
        PyObject *entry = Py_BuildValue("(nnN)", i, jj, rep);
        if (entry == NULL || PyList_Append(reps, entry) < 0) {
            Py_XDECREF(entry);
            goto fail;
        }
        Py_DECREF(entry);
        Py_ssize_t s0 = rp_bisect_right(r.off, r.noff, i) - 1, s1 = rp_bisect_right(r.off, r.noff, jj - 1);
        for (Py_ssize_t s = s0; s < s1; s++) {
            PyObject *v = PyLong_FromSsize_t(s);
            if (v == NULL || PySet_Add(touched, v) < 0) {
                Py_XDECREF(v);
                goto fail;
            }
            Py_DECREF(v);
        }
    }
    PyMem_Free(r.e), PyMem_Free(r.code_at), PyMem_Free(r.off), PyMem_Free(r.size), PyMem_Free(r.covered);
    return Py_BuildValue("(NN)", reps, touched);
fail:
    Py_XDECREF(reps), Py_XDECREF(touched);
    reps = touched = NULL;
    ok = -1;
done:
    PyMem_Free(r.e), PyMem_Free(r.code_at), PyMem_Free(r.off), PyMem_Free(r.size), PyMem_Free(r.covered);
    if (ok < 0) return NULL;
    Py_RETURN_NONE;
}

/* merge_pieces(actual, over) -> list | None: marked.trace._merge_pieces_py, transcribed (the
 * sequences sorted, each that continues the one before with the same text and whose glyphs
 * ``over`` says sit on its glyphs merged into it); None when a sequence is not (int, int, str). */
static PyObject *merge_pieces(PyObject *self, PyObject *args) {
    PyObject *actual, *over;
    if (!PyArg_ParseTuple(args, "O!O", &PyList_Type, &actual, &over)) return NULL;
    Py_ssize_t n = PyList_GET_SIZE(actual), a, b;
    for (Py_ssize_t q = 0; q < n; q++) {
        PyObject *t = PyList_GET_ITEM(actual, q);
        if (!PyTuple_CheckExact(t) || PyTuple_GET_SIZE(t) != 3 || !rp_index(PyTuple_GET_ITEM(t, 0), &a) ||
            !rp_index(PyTuple_GET_ITEM(t, 1), &b) || !PyUnicode_CheckExact(PyTuple_GET_ITEM(t, 2)))
            Py_RETURN_NONE;
    }
    PyObject *sorted = PyList_GetSlice(actual, 0, n), *out = PyList_New(0);
    if (sorted == NULL || out == NULL || PyList_Sort(sorted) < 0) goto fail;
    for (Py_ssize_t q = 0; q < n; q++) {
        PyObject *t = PyList_GET_ITEM(sorted, q);
        Py_ssize_t m = PyList_GET_SIZE(out);
        if (m) {
            PyObject *last = PyList_GET_ITEM(out, m - 1);
            Py_ssize_t lb = PyLong_AsSsize_t(PyTuple_GET_ITEM(last, 1));
            a = PyLong_AsSsize_t(PyTuple_GET_ITEM(t, 0));
            if (lb == a && PyUnicode_Compare(PyTuple_GET_ITEM(last, 2), PyTuple_GET_ITEM(t, 2)) == 0) {
                int on = rp_truth(PyObject_CallFunctionObjArgs(over, PyTuple_GET_ITEM(last, 0), PyTuple_GET_ITEM(t, 0),
                                                               PyTuple_GET_ITEM(t, 1), NULL));
                if (on < 0) goto fail;
                if (on) {
                    PyObject *joined = PyTuple_Pack(3, PyTuple_GET_ITEM(last, 0), PyTuple_GET_ITEM(t, 1),
                                                    PyTuple_GET_ITEM(t, 2));
                    if (joined == NULL || PyList_SetItem(out, m - 1, joined) < 0) goto fail;
                    continue;
                }
            }
        }
        if (PyList_Append(out, t) < 0) goto fail;
    }
    Py_DECREF(sorted);
    return out;
fail:
    Py_XDECREF(sorted), Py_XDECREF(out);
    return NULL;
}

/* ---- marked.trace._rebuilt_py, compiled ------------------------------------------------------ */

/* ``cs`` += ``chars[lo:hi]`` (hi < 0: to the end), clamped as Python slices */
static int rb_extend(PyObject *cs, PyObject *chars, Py_ssize_t lo, Py_ssize_t hi) {
    Py_ssize_t n = PySequence_Fast_GET_SIZE(chars);
    if (hi < 0 || hi > n) hi = n;
    if (lo > n) lo = n;
    PyObject **items = PySequence_Fast_ITEMS(chars);
    for (Py_ssize_t k = lo; k < hi; k++)
        if (PyList_Append(cs, items[k]) < 0) return -1;
    return 0;
}

/* _span: ``span`` with the entries ``cs`` (a new reference), the span itself when they are its
 * own; Py_None (borrowed) when an entry's box is not four floats (left to Python). */
static PyObject *rb_span(PyObject *span, PyObject *chars, PyObject *cs) {
    Py_ssize_t n = PyList_GET_SIZE(cs);
    if (n == PySequence_Fast_GET_SIZE(chars)) {
        PyObject **old = PySequence_Fast_ITEMS(chars);
        Py_ssize_t k = 0;
        while (k < n && PyList_GET_ITEM(cs, k) == old[k]) k++;
        if (k == n) return Py_NewRef(span);
    }
    PyObject *pick[4] = {NULL, NULL, NULL, NULL};  /* min x0, min y0, max x1, max y1, as Python picks them */
    for (Py_ssize_t k = 0; k < n; k++) {
        PyObject *e = PyList_GET_ITEM(cs, k), *b;
        if (!PyTuple_CheckExact(e) || PyTuple_GET_SIZE(e) < 4 || !PyTuple_CheckExact(b = PyTuple_GET_ITEM(e, 3)) ||
            PyTuple_GET_SIZE(b) < 4)
            return Py_None;
        for (int q = 0; q < 4; q++) {
            PyObject *v = PyTuple_GET_ITEM(b, q);
            if (!PyFloat_CheckExact(v)) return Py_None;
            if (pick[q] == NULL || (q < 2 ? PyFloat_AS_DOUBLE(v) < PyFloat_AS_DOUBLE(pick[q])
                                          : PyFloat_AS_DOUBLE(v) > PyFloat_AS_DOUBLE(pick[q])))
                pick[q] = v;
        }
    }
    PyObject *s = PyDict_Copy(span), *t = PyList_AsTuple(cs), *box = PyTuple_Pack(4, pick[0], pick[1], pick[2], pick[3]);
    if (s == NULL || t == NULL || box == NULL || PyDict_SetItem(s, k_chars, t) < 0 || PyDict_SetItem(s, k_bbox, box) < 0) {
        Py_XDECREF(s), Py_XDECREF(t), Py_XDECREF(box);
        return NULL;
    }
    Py_DECREF(t), Py_DECREF(box);
    return s;
}

/* rebuilt(trace, off, reps, touched) -> spans | None: marked.trace._rebuilt_py, transcribed;
 * None, nothing made, when an input is not as _entries and _replacements make them. */
static PyObject *rebuilt(PyObject *self, PyObject *args) {
    PyObject *trace, *off, *reps, *touched;
    if (!PyArg_ParseTuple(args, "O!O!O!O!", &PyList_Type, &trace, &PyList_Type, &off, &PyList_Type, &reps,
                          &PySet_Type, &touched))
        return NULL;
    Py_ssize_t ns = PyList_GET_SIZE(trace), nr = PyList_GET_SIZE(reps);
    if (PyList_GET_SIZE(off) != ns + 1) Py_RETURN_NONE;
    for (Py_ssize_t k = 0; k <= ns; k++)
        if (!PyLong_CheckExact(PyList_GET_ITEM(off, k))) Py_RETURN_NONE;
    for (Py_ssize_t q = 0; q < nr; q++) {
        PyObject *t = PyList_GET_ITEM(reps, q);
        if (!PyTuple_CheckExact(t) || PyTuple_GET_SIZE(t) != 3 || !PyLong_CheckExact(PyTuple_GET_ITEM(t, 0)) ||
            !PyLong_CheckExact(PyTuple_GET_ITEM(t, 1)) || !PyList_CheckExact(PyTuple_GET_ITEM(t, 2)))
            Py_RETURN_NONE;
    }
    PyObject *out = PyList_New(0), *cs = NULL;
    if (out == NULL) return NULL;
    Py_ssize_t r = 0;
    for (Py_ssize_t si = 0; si < ns; si++) {
        PyObject *span = PyList_GET_ITEM(trace, si), *chars = span_chars(span), *key;
        if (chars == NULL) goto give_up;  /* (or an error: told below) */
        if ((key = PyLong_FromSsize_t(si)) == NULL) goto fail;
        int hit = PySet_Contains(touched, key);
        Py_DECREF(key);
        if (hit < 0) goto fail;
        if (!hit) {
            if (PySequence_Fast_GET_SIZE(chars) && PyList_Append(out, span) < 0) goto fail;
            continue;
        }
        Py_ssize_t a = PyLong_AsSsize_t(PyList_GET_ITEM(off, si)), b = PyLong_AsSsize_t(PyList_GET_ITEM(off, si + 1));
        if ((a == -1 || b == -1) && PyErr_Occurred()) goto give_up;
        while (r < nr && PyLong_AsSsize_t(PyTuple_GET_ITEM(PyList_GET_ITEM(reps, r), 1)) <= a) r++;
        if (PyErr_Occurred() || r >= nr || a < 0) goto give_up;  /* (Python: IndexError) */
        if ((cs = PyList_New(0)) == NULL) goto fail;
        Py_ssize_t at = a;
        for (Py_ssize_t q = r; q < nr; q++) {
            PyObject *t = PyList_GET_ITEM(reps, q);
            Py_ssize_t i = PyLong_AsSsize_t(PyTuple_GET_ITEM(t, 0)), j = PyLong_AsSsize_t(PyTuple_GET_ITEM(t, 1));
            if (PyErr_Occurred()) goto give_up;
            if (i >= b) break;
            if (i >= a) {
                if (rb_extend(cs, chars, at - a, i - a) < 0) goto fail;
                PyObject *new = PyTuple_GET_ITEM(t, 2);
                for (Py_ssize_t k = 0; k < PyList_GET_SIZE(new); k++)
                    if (PyList_Append(cs, PyList_GET_ITEM(new, k)) < 0) goto fail;
            }
            if (j > at) at = j;
        }
        if (at < b && rb_extend(cs, chars, at - a, -1) < 0) goto fail;
        if (PyList_GET_SIZE(cs)) {
            PyObject *s = rb_span(span, chars, cs);
            if (s == NULL) goto fail;
            if (s == Py_None) goto give_up;
            int bad = PyList_Append(out, s);
            Py_DECREF(s);
            if (bad < 0) goto fail;
        }
        Py_CLEAR(cs);
    }
    return out;
give_up:
    if (PyErr_Occurred()) {
        if (!PyErr_ExceptionMatches(PyExc_OverflowError)) goto fail;
        PyErr_Clear();
    }
    Py_XDECREF(cs), Py_DECREF(out);
    Py_RETURN_NONE;
fail:
    Py_XDECREF(cs), Py_DECREF(out);
    return NULL;
}
