/* The SQLite store's projection, read and built in C (issue 15).

   graph_from_rows (network/graph/project.py) builds the analysis graph from
   rows that Python's sqlite3 module hands over: a tuple and a Python object
   per row and field (9.5 million of them at 50,000 organisations), then a
   dict per record and the adjacency, a Python call at a time. This module
   steps through the same query with SQLite's C interface and builds the
   same three tables (node attributes, successors, predecessors) directly:
   a value that repeats (a code, a list, a date) is made once and shared,
   found by its bytes without making a text to look it up.

   It opens its own read-only connection to the store's file and reads the
   organisations and the links in one read transaction, so both come from
   the same state of the store. It links against the same libsqlite3 as
   Python's sqlite3 module: one copy of SQLite in the process, so the file's
   locks are shared properly.

   Its answer equals graph_from_rows of the same rows: tests/test_projection_compiled.py. */

#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <sqlite3.h>
#include <string.h>

/* How a field is read, as network.graph.columns.compiled_fields names it. */
enum how { AS_STORED = 0, SHARED = 1, NEW_MAPPING = 2, FLAG = 3 };

/* Texts seen in a column, by their bytes, each with the object made for it. A short text's bytes are kept in its
   slot, so comparing them reads memory already read for the hash. */
#define SHORT_TEXT 40
typedef struct {
    uint64_t hash; /* 0: an empty slot */
    Py_ssize_t size;
    char *bytes;   /* short_bytes, or bytes of their own */
    PyObject *value;
    Py_ssize_t number; /* of an organisation id: the node's place in the order read */
    char short_bytes[SHORT_TEXT];
} Seen;

typedef struct {
    Seen *slots;
    Py_ssize_t capacity, used;
} Texts;

typedef struct {
    PyObject *name;    /* borrowed from the field plan */
    int how;
    PyObject *decode;  /* borrowed; None: the text itself */
    PyObject *missing; /* borrowed; the value of NULL */
    Texts seen;
} Field;

static uint64_t text_hash(const unsigned char *bytes, Py_ssize_t size)
{
    uint64_t hash = 1469598103934665603ULL;
    for (Py_ssize_t i = 0; i < size; i++) {
        hash ^= bytes[i];
        hash *= 1099511628211ULL;
    }
    return hash | 1;
}

static int texts_grow(Texts *texts)
{
    Py_ssize_t capacity = texts->capacity ? texts->capacity * 2 : 64;
    Seen *slots = PyMem_Calloc((size_t)capacity, sizeof(Seen));
    if (slots == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    for (Py_ssize_t i = 0; i < texts->capacity; i++) {
        if (texts->slots[i].hash) {
            Py_ssize_t at = (Py_ssize_t)(texts->slots[i].hash & (uint64_t)(capacity - 1));
            while (slots[at].hash)
                at = (at + 1) & (capacity - 1);
            slots[at] = texts->slots[i];
            if (texts->slots[i].bytes == texts->slots[i].short_bytes)
                slots[at].bytes = slots[at].short_bytes; /* kept in the slot: moved with it */
        }
    }
    PyMem_Free(texts->slots);
    texts->slots = slots;
    texts->capacity = capacity;
    return 0;
}

/* The slot of these bytes: the one holding them, or the empty one where they go. NULL on error. */
static Seen *texts_slot(Texts *texts, const char *bytes, Py_ssize_t size, uint64_t hash)
{
    if ((texts->used + 1) * 2 > texts->capacity && texts_grow(texts) < 0)
        return NULL;
    Py_ssize_t at = (Py_ssize_t)(hash & (uint64_t)(texts->capacity - 1));
    while (texts->slots[at].hash) {
        Seen *slot = &texts->slots[at];
        if (slot->hash == hash && slot->size == size && memcmp(slot->bytes, bytes, (size_t)size) == 0)
            return slot;
        at = (at + 1) & (texts->capacity - 1);
    }
    return &texts->slots[at];
}

/* Remember ``value`` (a new reference, taken over) for these bytes in an empty slot. */
static int texts_keep(Texts *texts, Seen *slot, const char *bytes, Py_ssize_t size, uint64_t hash, PyObject *value)
{
    slot->bytes = size <= SHORT_TEXT ? slot->short_bytes : PyMem_Malloc((size_t)size);
    if (slot->bytes == NULL) {
        Py_DECREF(value);
        PyErr_NoMemory();
        return -1;
    }
    memcpy(slot->bytes, bytes, (size_t)size);
    slot->size = size;
    slot->hash = hash;
    slot->value = value;
    texts->used++;
    return 0;
}

static void texts_free(Texts *texts)
{
    for (Py_ssize_t i = 0; i < texts->capacity; i++) {
        if (texts->slots[i].hash) {
            if (texts->slots[i].bytes != texts->slots[i].short_bytes)
                PyMem_Free(texts->slots[i].bytes);
            Py_XDECREF(texts->slots[i].value);
        }
    }
    PyMem_Free(texts->slots);
    texts->slots = NULL;
    texts->capacity = texts->used = 0;
}

static PyObject *column_text(sqlite3_stmt *statement, int column)
{
    const char *bytes = (const char *)sqlite3_column_text(statement, column);
    if (bytes == NULL)
        return PyErr_NoMemory();
    return PyUnicode_DecodeUTF8(bytes, sqlite3_column_bytes(statement, column), "strict");
}

/* The value of a field in the current row: a new reference, or NULL with an exception set. */
static PyObject *field_value(sqlite3_stmt *statement, int column, Field *field)
{
    int type = sqlite3_column_type(statement, column);
    if (field->how == FLAG) {
        if (type == SQLITE_NULL)
            Py_RETURN_FALSE;
        if (type == SQLITE_INTEGER)
            return PyBool_FromLong(sqlite3_column_int64(statement, column) != 0);
        PyErr_Format(PyExc_ValueError, "the flag %R holds a value that is not 0 or 1", field->name);
        return NULL;
    }
    if (type == SQLITE_NULL) {
        if (field->how == NEW_MAPPING)
            return PyDict_Copy(field->missing);
        Py_INCREF(field->missing);
        return field->missing;
    }
    if (type == SQLITE_INTEGER)
        return PyLong_FromLongLong(sqlite3_column_int64(statement, column));
    if (type == SQLITE_FLOAT)
        return PyFloat_FromDouble(sqlite3_column_double(statement, column));
    if (type == SQLITE_BLOB) {
        PyErr_Format(PyExc_ValueError, "the field %R holds bytes, not a text", field->name);
        return NULL;
    }
    if (field->how == AS_STORED)
        return column_text(statement, column);
    const char *bytes = (const char *)sqlite3_column_text(statement, column);
    if (bytes == NULL)
        return PyErr_NoMemory();
    Py_ssize_t size = sqlite3_column_bytes(statement, column);
    uint64_t hash = text_hash((const unsigned char *)bytes, size);
    Seen *slot = texts_slot(&field->seen, bytes, size, hash);
    if (slot == NULL)
        return NULL;
    if (!slot->hash) {
        PyObject *text = PyUnicode_DecodeUTF8(bytes, size, "strict");
        if (text == NULL)
            return NULL;
        PyObject *value = text;
        if (field->decode != Py_None) {
            value = PyObject_CallOneArg(field->decode, text);
            Py_DECREF(text);
            if (value == NULL)
                return NULL;
        }
        if (texts_keep(&field->seen, slot, bytes, size, hash, value) < 0)
            return NULL;
    }
    if (field->how == NEW_MAPPING)
        return PyDict_Copy(slot->value);
    Py_INCREF(slot->value);
    return slot->value;
}

/* The attribute dict of the current row: the ``__dict__`` of a new ``holder`` (its keys shared with the other
   records'), filled with the fields from ``first`` on. A new reference, or NULL with an exception set. */
static PyObject *attributes(sqlite3_stmt *statement, int first, Field *fields, Py_ssize_t count, PyObject *holder,
                            PyObject *no_arguments)
{
    PyObject *instance = PyBaseObject_Type.tp_new((PyTypeObject *)holder, no_arguments, NULL);
    if (instance == NULL)
        return NULL;
    PyObject *data = PyObject_GenericGetDict(instance, NULL);
    Py_DECREF(instance);
    if (data == NULL)
        return NULL;
    for (Py_ssize_t i = 0; i < count; i++) {
        PyObject *value = field_value(statement, first + (int)i, &fields[i]);
        if (value == NULL || PyDict_SetItem(data, fields[i].name, value) < 0) {
            Py_XDECREF(value);
            Py_DECREF(data);
            return NULL;
        }
        Py_DECREF(value);
    }
    return data;
}

/* The fields of a plan: a tuple of (name, how, decode, missing). NULL with an exception set. */
static Field *read_plan(PyObject *plan, Py_ssize_t *count)
{
    if (!PyTuple_Check(plan)) {
        PyErr_SetString(PyExc_TypeError, "a field plan is a tuple of (name, how, decode, missing)");
        return NULL;
    }
    *count = PyTuple_GET_SIZE(plan);
    Field *fields = PyMem_Calloc((size_t)(*count ? *count : 1), sizeof(Field));
    if (fields == NULL) {
        PyErr_NoMemory();
        return NULL;
    }
    for (Py_ssize_t i = 0; i < *count; i++) {
        PyObject *item = PyTuple_GET_ITEM(plan, i);
        if (!PyTuple_Check(item) || PyTuple_GET_SIZE(item) != 4 || !PyUnicode_Check(PyTuple_GET_ITEM(item, 0))) {
            PyMem_Free(fields);
            PyErr_SetString(PyExc_TypeError, "a field plan is a tuple of (name, how, decode, missing)");
            return NULL;
        }
        fields[i].name = PyTuple_GET_ITEM(item, 0);
        fields[i].how = (int)PyLong_AsLong(PyTuple_GET_ITEM(item, 1));
        fields[i].decode = PyTuple_GET_ITEM(item, 2);
        fields[i].missing = PyTuple_GET_ITEM(item, 3);
        if (PyErr_Occurred() || fields[i].how < AS_STORED || fields[i].how > FLAG
            || (fields[i].how == NEW_MAPPING && !PyDict_Check(fields[i].missing))) {
            if (!PyErr_Occurred())
                PyErr_Format(PyExc_ValueError, "the field %R has no way to be read", fields[i].name);
            PyMem_Free(fields);
            return NULL;
        }
    }
    return fields;
}

static void free_plan(Field *fields, Py_ssize_t count)
{
    if (fields == NULL)
        return;
    for (Py_ssize_t i = 0; i < count; i++)
        texts_free(&fields[i].seen);
    PyMem_Free(fields);
}

static PyObject *store_error;

static void set_store_error(sqlite3 *db, const char *doing)
{
    PyErr_Format(store_error, "%s: %s", doing, db ? sqlite3_errmsg(db) : "out of memory");
}

typedef struct {
    PyObject *node, *succ, *pred;
    Texts ids;                  /* organisation id bytes -> the node's id object and number */
    PyObject **out, **in;       /* by node number: its successors' and predecessors' dicts (borrowed) */
    Py_ssize_t nodes, capacity; /* nodes read, room in out and in */
} Tables;

/* Keep a node's successors' and predecessors' dicts (borrowed from succ and pred) under its number. */
static int keep_adjacency(Tables *tables, PyObject *out, PyObject *in)
{
    if (tables->nodes == tables->capacity) {
        Py_ssize_t capacity = tables->capacity ? tables->capacity * 2 : 1024;
        PyObject **outs = PyMem_Realloc(tables->out, (size_t)capacity * sizeof(PyObject *));
        if (outs == NULL) {
            PyErr_NoMemory();
            return -1;
        }
        tables->out = outs;
        PyObject **ins = PyMem_Realloc(tables->in, (size_t)capacity * sizeof(PyObject *));
        if (ins == NULL) {
            PyErr_NoMemory();
            return -1;
        }
        tables->in = ins;
        tables->capacity = capacity;
    }
    tables->out[tables->nodes] = out;
    tables->in[tables->nodes] = in;
    tables->nodes++;
    return 0;
}

static int read_organisations(sqlite3 *db, const char *query, Field *fields, Py_ssize_t count, PyObject *holder,
                              PyObject *no_arguments, Tables *tables)
{
    sqlite3_stmt *statement;
    if (sqlite3_prepare_v2(db, query, -1, &statement, NULL) != SQLITE_OK) {
        set_store_error(db, "reading the organisations");
        return -1;
    }
    int step;
    while ((step = sqlite3_step(statement)) == SQLITE_ROW) {
        const char *bytes = (const char *)sqlite3_column_text(statement, 0);
        Py_ssize_t size = sqlite3_column_bytes(statement, 0);
        uint64_t hash = bytes ? text_hash((const unsigned char *)bytes, size) : 0;
        Seen *slot = bytes ? texts_slot(&tables->ids, bytes, size, hash) : NULL;
        if (slot == NULL || slot->hash) {
            if (!PyErr_Occurred())
                PyErr_SetString(PyExc_ValueError, "an organisation without an id, or with the id of another");
            goto failed;
        }
        PyObject *id = PyUnicode_DecodeUTF8(bytes, size, "strict");
        if (id == NULL)
            goto failed;
        if (texts_keep(&tables->ids, slot, bytes, size, hash, id) < 0)
            goto failed;
        slot->number = tables->nodes;
        PyObject *data = attributes(statement, 1, fields, count, holder, no_arguments);
        if (data == NULL)
            goto failed;
        int added = PyDict_SetItem(tables->node, id, data);
        Py_DECREF(data);
        if (added < 0)
            goto failed;
        PyObject *out = PyDict_New(), *in = PyDict_New();
        if (out == NULL || in == NULL || PyDict_SetItem(tables->succ, id, out) < 0
            || PyDict_SetItem(tables->pred, id, in) < 0) {
            Py_XDECREF(out);
            Py_XDECREF(in);
            goto failed;
        }
        Py_DECREF(out);
        Py_DECREF(in);
        if (keep_adjacency(tables, out, in) < 0)
            goto failed;
    }
    if (step != SQLITE_DONE) {
        set_store_error(db, "reading the organisations");
        goto failed;
    }
    sqlite3_finalize(statement);
    return 0;
failed:
    sqlite3_finalize(statement);
    return -1;
}

/* The id slot of an end of the current link row, or NULL when it is not an organisation. */
static Seen *end_of(sqlite3_stmt *statement, int column, Texts *ids)
{
    const char *bytes = (const char *)sqlite3_column_text(statement, column);
    if (bytes == NULL || ids->capacity == 0)
        return NULL;
    Py_ssize_t size = sqlite3_column_bytes(statement, column);
    uint64_t hash = text_hash((const unsigned char *)bytes, size);
    Py_ssize_t at = (Py_ssize_t)(hash & (uint64_t)(ids->capacity - 1));
    while (ids->slots[at].hash) {
        Seen *slot = &ids->slots[at];
        if (slot->hash == hash && slot->size == size && memcmp(slot->bytes, bytes, (size_t)size) == 0)
            return slot;
        at = (at + 1) & (ids->capacity - 1);
    }
    return NULL;
}

static int read_links(sqlite3 *db, const char *query, Field *fields, Py_ssize_t count, PyObject *holder,
                      PyObject *no_arguments, Tables *tables)
{
    sqlite3_stmt *statement;
    if (sqlite3_prepare_v2(db, query, -1, &statement, NULL) != SQLITE_OK) {
        set_store_error(db, "reading the links");
        return -1;
    }
    int step;
    while ((step = sqlite3_step(statement)) == SQLITE_ROW) {
        Seen *source = end_of(statement, 1, &tables->ids), *target = end_of(statement, 2, &tables->ids);
        if (source == NULL || target == NULL)
            continue; /* an end that is not among the organisations: the link is left out */
        PyObject *key = column_text(statement, 0);
        if (key == NULL)
            goto failed;
        PyObject *data = attributes(statement, 3, fields, count, holder, no_arguments);
        if (data == NULL) {
            Py_DECREF(key);
            goto failed;
        }
        PyObject *out = tables->out[source->number], *in = tables->in[target->number];
        PyObject *keydict = PyDict_GetItemWithError(out, target->value);
        int stored = -1;
        if (keydict != NULL) {
            stored = PyDict_SetItem(keydict, key, data);
        } else if (!PyErr_Occurred() && (keydict = PyDict_New()) != NULL) {
            stored = (PyDict_SetItem(keydict, key, data) < 0 || PyDict_SetItem(out, target->value, keydict) < 0
                      || PyDict_SetItem(in, source->value, keydict) < 0) ? -1 : 0;
            Py_DECREF(keydict);
        }
        Py_DECREF(key);
        Py_DECREF(data);
        if (stored < 0)
            goto failed;
    }
    if (step != SQLITE_DONE) {
        set_store_error(db, "reading the links");
        goto failed;
    }
    sqlite3_finalize(statement);
    return 0;
failed:
    sqlite3_finalize(statement);
    return -1;
}

static int run(sqlite3 *db, const char *sql, const char *doing)
{
    if (sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK) {
        set_store_error(db, doing);
        return -1;
    }
    return 0;
}

PyDoc_STRVAR(graph_doc,
"graph(path, busy_timeout_ms, organisations_query, organisation_plan, node_holder, links_query, link_plan,\n"
"      edge_holder) -> (node, succ, pred)\n\n"
"The tables of the analysis graph of the SQLite store at ``path``, read in one read transaction.\n\n"
"The organisations query yields the id then the fields of organisation_plan; the links query the id, source\n"
"and target then the fields of link_plan, both in id order. A plan is a tuple of (name, how, decode, missing)\n"
"per field (network.graph.columns.compiled_fields). Links whose ends are not organisations are left out.");

static PyObject *graph(PyObject *module, PyObject *args)
{
    const char *path, *organisations_query, *links_query;
    int busy_timeout;
    PyObject *organisation_plan, *node_holder, *link_plan, *edge_holder;
    if (!PyArg_ParseTuple(args, "sisOOsOO:graph", &path, &busy_timeout, &organisations_query, &organisation_plan,
                          &node_holder, &links_query, &link_plan, &edge_holder))
        return NULL;
    if (!PyType_Check(node_holder) || !PyType_Check(edge_holder)) {
        PyErr_SetString(PyExc_TypeError, "the holders are classes");
        return NULL;
    }
    Py_ssize_t organisation_count = 0, link_count = 0;
    Field *organisation_fields = read_plan(organisation_plan, &organisation_count);
    Field *link_fields = organisation_fields ? read_plan(link_plan, &link_count) : NULL;
    Tables tables = {PyDict_New(), PyDict_New(), PyDict_New(), {NULL, 0, 0}, NULL, NULL, 0, 0};
    PyObject *no_arguments = PyTuple_New(0);
    PyObject *result = NULL;
    sqlite3 *db = NULL;
    if (link_fields == NULL || tables.node == NULL || tables.succ == NULL || tables.pred == NULL
        || no_arguments == NULL)
        goto done;
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
        set_store_error(db, "opening the store");
        goto done;
    }
    sqlite3_busy_timeout(db, busy_timeout);
    if (run(db, "BEGIN", "reading the network") < 0)
        goto done;
    int read = read_organisations(db, organisations_query, organisation_fields, organisation_count, node_holder,
                                  no_arguments, &tables);
    if (read == 0)
        read = read_links(db, links_query, link_fields, link_count, edge_holder, no_arguments, &tables);
    if (read < 0 || run(db, "COMMIT", "reading the network") < 0)
        goto done; /* closing the connection ends a read that failed */
    result = PyTuple_Pack(3, tables.node, tables.succ, tables.pred);
done:
    if (db != NULL)
        sqlite3_close(db);
    texts_free(&tables.ids);
    PyMem_Free(tables.out);
    PyMem_Free(tables.in);
    free_plan(organisation_fields, organisation_count);
    free_plan(link_fields, link_count);
    Py_XDECREF(no_arguments);
    Py_XDECREF(tables.node);
    Py_XDECREF(tables.succ);
    Py_XDECREF(tables.pred);
    return result;
}

static PyMethodDef methods[] = {
    {"graph", graph, METH_VARARGS, graph_doc},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef projection_module = {
    PyModuleDef_HEAD_INIT, "network.graph._projection",
    "The SQLite store's projection, read and built in C (see network.graph.sqlite_projection).", -1, methods,
};

PyMODINIT_FUNC PyInit__projection(void)
{
    PyObject *sqlite = PyImport_ImportModule("sqlite3");
    if (sqlite == NULL)
        return NULL;
    store_error = PyObject_GetAttrString(sqlite, "OperationalError");
    Py_DECREF(sqlite);
    if (store_error == NULL)
        return NULL;
    return PyModule_Create(&projection_module);
}
