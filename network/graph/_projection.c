/* The SQLite store's projection, read and built in C (issue 15).

   graph_from_rows (network/graph/project.py) builds the analysis graph from
   rows that Python's sqlite3 module hands over: a tuple and a Python object
   per row and field (9.5 million of them at 50,000 organisations), then a
   dict per record and the adjacency, a Python call at a time. This module
   steps through the same query with SQLite's C interface and builds the
   same three tables (node attributes, successors, predecessors) directly:
   a value that repeats (a code, a list, a date) is made once and shared,
   found by its bytes without making a text to look it up.

   Each table is stepped through by a thread of its own, which copies the
   rows into a batch, hashes their texts and finds the organisations at each
   link's ends (it touches no Python object), while the calling thread makes
   the Python objects of the batch before: on two cores the two overlap.

   It opens its own read-only connection to the store's file and reads the
   organisations and the links in one read transaction, so both come from
   the same state of the store. It links against the same libsqlite3 as
   Python's sqlite3 module: one copy of SQLite in the process, so the file's
   locks are shared properly.

   Its answer equals graph_from_rows of the same rows: tests/test_projection_compiled.py. */

#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

/* How a field is read, as network.graph.columns.compiled_plan gives it. */
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

/* The slot of these bytes in a table with room: the one holding them, or the empty one where they go. Reads the
   table only. */
static Seen *texts_probe(const Texts *texts, const char *bytes, Py_ssize_t size, uint64_t hash)
{
    Py_ssize_t at = (Py_ssize_t)(hash & (uint64_t)(texts->capacity - 1));
    while (texts->slots[at].hash) {
        Seen *slot = &texts->slots[at];
        if (slot->hash == hash && slot->size == size && memcmp(slot->bytes, bytes, (size_t)size) == 0)
            return slot;
        at = (at + 1) & (texts->capacity - 1);
    }
    return &texts->slots[at];
}

/* As texts_probe, the table first grown if a new text would fill it past half. NULL on error. */
static Seen *texts_slot(Texts *texts, const char *bytes, Py_ssize_t size, uint64_t hash)
{
    if ((texts->used + 1) * 2 > texts->capacity && texts_grow(texts) < 0)
        return NULL;
    return texts_probe(texts, bytes, size, hash);
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

/* A value of a row, read off the statement or out of a batch. */
typedef struct {
    int type;               /* SQLITE_INTEGER, SQLITE_FLOAT, SQLITE_TEXT, SQLITE_BLOB or SQLITE_NULL */
    sqlite3_int64 integer;
    double real;
    const char *bytes;      /* of a text */
    Py_ssize_t size;
    Py_ssize_t offset;      /* of the bytes in their batch, until the batch is handed over */
    uint64_t hash;          /* of a text in a column that is looked up by its bytes */
} Cell;

/* Read the current row's value of ``column`` (its text, if any, is SQLite's until the next step). 0, or -1 when
   SQLite ran out of memory. */
static int read_cell(sqlite3_stmt *statement, int column, int hashed, Cell *cell)
{
    cell->type = sqlite3_column_type(statement, column);
    if (cell->type == SQLITE_INTEGER) {
        cell->integer = sqlite3_column_int64(statement, column);
    } else if (cell->type == SQLITE_FLOAT) {
        cell->real = sqlite3_column_double(statement, column);
    } else if (cell->type == SQLITE_TEXT) {
        cell->bytes = (const char *)sqlite3_column_text(statement, column);
        if (cell->bytes == NULL)
            return -1;
        cell->size = sqlite3_column_bytes(statement, column);
        cell->hash = hashed ? text_hash((const unsigned char *)cell->bytes, cell->size) : 0;
    }
    return 0;
}

/* The value of a field in a row: a new reference, or NULL with an exception set. */
static PyObject *field_value(const Cell *cell, Field *field)
{
    if (field->how == FLAG) {
        if (cell->type == SQLITE_NULL)
            Py_RETURN_FALSE;
        if (cell->type == SQLITE_INTEGER)
            return PyBool_FromLong(cell->integer != 0);
        PyErr_Format(PyExc_ValueError, "the flag %R holds a value that is not 0 or 1", field->name);
        return NULL;
    }
    if (cell->type == SQLITE_NULL) {
        if (field->how == NEW_MAPPING)
            return PyDict_Copy(field->missing);
        Py_INCREF(field->missing);
        return field->missing;
    }
    if (cell->type == SQLITE_INTEGER)
        return PyLong_FromLongLong(cell->integer);
    if (cell->type == SQLITE_FLOAT)
        return PyFloat_FromDouble(cell->real);
    if (cell->type != SQLITE_TEXT) {
        PyErr_Format(PyExc_ValueError, "the field %R holds bytes, not a text", field->name);
        return NULL;
    }
    if (field->how == AS_STORED)
        return PyUnicode_DecodeUTF8(cell->bytes, cell->size, "strict");
    Seen *slot = texts_slot(&field->seen, cell->bytes, cell->size, cell->hash);
    if (slot == NULL)
        return NULL;
    if (!slot->hash) {
        PyObject *text = PyUnicode_DecodeUTF8(cell->bytes, cell->size, "strict");
        if (text == NULL)
            return NULL;
        PyObject *value = text;
        if (field->decode != Py_None) {
            value = PyObject_CallOneArg(field->decode, text);
            Py_DECREF(text);
            if (value == NULL)
                return NULL;
        }
        if (texts_keep(&field->seen, slot, cell->bytes, cell->size, cell->hash, value) < 0)
            return NULL;
    }
    if (field->how == NEW_MAPPING)
        return PyDict_Copy(slot->value);
    Py_INCREF(slot->value);
    return slot->value;
}

/* The attribute dict of a row: the ``__dict__`` of a new ``holder`` (its keys shared with the other records'),
   filled with the fields, whose values are ``cells``. A new reference, or NULL with an exception set. */
static PyObject *attributes(const Cell *cells, Field *fields, Py_ssize_t count, PyObject *holder,
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
        PyObject *value = field_value(&cells[i], &fields[i]);
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

/* Whether a plan's field is looked up by its bytes (so its texts are hashed as they are read). */
static int hashed(const Field *field)
{
    return field->how == SHARED || field->how == NEW_MAPPING;
}

/* What makes the graph's entries of the rows: their fields and the tables they go into. */
typedef struct {
    Field *fields;
    Py_ssize_t count;
    PyObject *holder, *no_arguments;
    Tables *tables;
} Builder;

/* The id slot of the organisation with these bytes, or NULL. Reads the table only: safe beside the thread that
   makes Python objects, which does not change the ids while the links are read. */
static const Seen *organisation_of(const Texts *ids, const Cell *cell)
{
    if (cell->type != SQLITE_TEXT || ids->capacity == 0)
        return NULL;
    const Seen *slot = texts_probe(ids, cell->bytes, cell->size, cell->hash);
    return slot->hash ? slot : NULL;
}

/* Rows read ahead by the reading thread: each row's cells, and for a link the organisations at its ends. */
#define BATCH_ROWS 2048
typedef struct {
    Py_ssize_t rows;
    Cell *cells;               /* BATCH_ROWS rows of ``columns`` cells */
    const Seen **ends;         /* BATCH_ROWS pairs: the source's and the target's id slots */
    char *bytes;               /* the rows' texts */
    size_t used, capacity;
    int last;                  /* the last batch: the statement is done, or failed */
} Batch;

typedef struct {
    pthread_mutex_t lock;
    pthread_cond_t changed;
    Batch batches[2];
    int ready[2];              /* handed to the thread that makes the objects, not yet given back */
    int stop;                  /* that thread stops reading (it failed) */
    sqlite3_stmt *statement;
    sqlite3 *db;
    int columns;
    const unsigned char *hashed_columns;
    const Texts *ids;          /* the organisations, when the rows are links (NULL: organisations) */
    int status;                /* SQLITE_DONE, or the error that ended the reading */
    char *message;             /* SQLite's message of that error (malloc) */
} Reader;

/* Copy the current row into the batch: 0, or -1 when memory ran out. Texts' bytes are placed by offset, as the
   batch's bytes may move while it fills. */
static int copy_row(Reader *reader, Batch *batch, Cell *cells)
{
    for (int c = 0; c < reader->columns; c++) {
        if (read_cell(reader->statement, c, reader->hashed_columns[c], &cells[c]) < 0)
            return -1;
        if (cells[c].type != SQLITE_TEXT)
            continue;
        if (batch->used + (size_t)cells[c].size > batch->capacity) {
            size_t capacity = batch->capacity ? batch->capacity : 1 << 18;
            while (batch->used + (size_t)cells[c].size > capacity)
                capacity *= 2;
            char *bytes = realloc(batch->bytes, capacity);
            if (bytes == NULL)
                return -1;
            batch->bytes = bytes;
            batch->capacity = capacity;
        }
        memcpy(batch->bytes + batch->used, cells[c].bytes, (size_t)cells[c].size);
        cells[c].offset = (Py_ssize_t)batch->used;
        batch->used += (size_t)cells[c].size;
    }
    return 0;
}

/* Fill a batch with the next rows (of links, those whose ends are organisations); set its ``last`` and the
   reader's status at the end of the statement or on an error. */
static void fill(Reader *reader, Batch *batch)
{
    batch->rows = 0;
    batch->used = 0;
    while (batch->rows < BATCH_ROWS) {
        int step = sqlite3_step(reader->statement);
        if (step != SQLITE_ROW) {
            reader->status = step;
            if (step != SQLITE_DONE)
                reader->message = strdup(sqlite3_errmsg(reader->db));
            batch->last = 1;
            break;
        }
        Cell *cells = &batch->cells[batch->rows * reader->columns];
        if (copy_row(reader, batch, cells) < 0) {
            reader->status = SQLITE_NOMEM;
            batch->last = 1;
            break;
        }
        if (reader->ids != NULL) {
            const Seen *source = organisation_of(reader->ids, &cells[1]);
            const Seen *target = organisation_of(reader->ids, &cells[2]);
            if (source == NULL || target == NULL)
                continue; /* an end that is not among the organisations: the link is left out */
            batch->ends[2 * batch->rows] = source;
            batch->ends[2 * batch->rows + 1] = target;
        }
        batch->rows++;
    }
    for (Py_ssize_t i = 0; i < batch->rows * reader->columns; i++) {
        if (batch->cells[i].type == SQLITE_TEXT)
            batch->cells[i].bytes = batch->bytes + batch->cells[i].offset;
    }
}

/* The reading thread: fills the two batches in turn, each once it is given back, until the last. */
static void *read_ahead(void *argument)
{
    Reader *reader = argument;
    for (int turn = 0;; turn ^= 1) {
        pthread_mutex_lock(&reader->lock);
        while (reader->ready[turn] && !reader->stop)
            pthread_cond_wait(&reader->changed, &reader->lock);
        int stop = reader->stop;
        pthread_mutex_unlock(&reader->lock);
        if (stop)
            return NULL;
        fill(reader, &reader->batches[turn]);
        pthread_mutex_lock(&reader->lock);
        reader->ready[turn] = 1;
        pthread_cond_broadcast(&reader->changed);
        pthread_mutex_unlock(&reader->lock);
        if (reader->batches[turn].last)
            return NULL;
    }
}

/* Make the nodes of one batch of organisations. 0, or -1 with an exception set. */
static int add_organisations(const Reader *reader, const Batch *batch, Builder *builder)
{
    Tables *tables = builder->tables;
    for (Py_ssize_t row = 0; row < batch->rows; row++) {
        const Cell *cells = &batch->cells[row * reader->columns];
        Seen *slot = cells[0].type == SQLITE_TEXT
            ? texts_slot(&tables->ids, cells[0].bytes, cells[0].size, cells[0].hash) : NULL;
        if (slot == NULL || slot->hash) {
            if (!PyErr_Occurred())
                PyErr_SetString(PyExc_ValueError, "an organisation without an id, or with the id of another");
            return -1;
        }
        PyObject *id = PyUnicode_DecodeUTF8(cells[0].bytes, cells[0].size, "strict");
        if (id == NULL || texts_keep(&tables->ids, slot, cells[0].bytes, cells[0].size, cells[0].hash, id) < 0)
            return -1;
        slot->number = tables->nodes;
        PyObject *data = attributes(cells + 1, builder->fields, builder->count, builder->holder,
                                    builder->no_arguments);
        if (data == NULL)
            return -1;
        int added = PyDict_SetItem(tables->node, id, data);
        Py_DECREF(data);
        if (added < 0)
            return -1;
        PyObject *out = PyDict_New(), *in = PyDict_New();
        if (out == NULL || in == NULL || PyDict_SetItem(tables->succ, id, out) < 0
            || PyDict_SetItem(tables->pred, id, in) < 0) {
            Py_XDECREF(out);
            Py_XDECREF(in);
            return -1;
        }
        Py_DECREF(out);
        Py_DECREF(in);
        if (keep_adjacency(tables, out, in) < 0)
            return -1;
    }
    return 0;
}

/* Make the graph's entries of one batch of links. 0, or -1 with an exception set. */
static int add_links(const Reader *reader, const Batch *batch, Builder *builder)
{
    Tables *tables = builder->tables;
    for (Py_ssize_t row = 0; row < batch->rows; row++) {
        const Cell *cells = &batch->cells[row * reader->columns];
        const Seen *source = batch->ends[2 * row], *target = batch->ends[2 * row + 1];
        if (cells[0].type != SQLITE_TEXT) {
            PyErr_SetString(PyExc_ValueError, "a link without an id");
            return -1;
        }
        PyObject *key = PyUnicode_DecodeUTF8(cells[0].bytes, cells[0].size, "strict");
        if (key == NULL)
            return -1;
        PyObject *data = attributes(cells + 3, builder->fields, builder->count, builder->holder,
                                    builder->no_arguments);
        if (data == NULL) {
            Py_DECREF(key);
            return -1;
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
            return -1;
    }
    return 0;
}

typedef int (*Add)(const Reader *, const Batch *, Builder *);

/* Step through ``query`` in the reading thread, a batch at a time, while ``add`` makes each batch's entries here.
   The rows hold ``first`` columns (the id; for links, then the source and the target) before the builder's
   fields; ``ids`` are the organisations when the rows are links. 0, or -1 with an exception set. */
static int read_table(sqlite3 *db, const char *query, const char *doing, int first, const Texts *ids, Add add,
                      Builder *builder)
{
    Reader reader = {.db = db, .columns = (int)builder->count + first, .ids = ids, .status = SQLITE_DONE};
    if (sqlite3_prepare_v2(db, query, -1, &reader.statement, NULL) != SQLITE_OK) {
        set_store_error(db, doing);
        return -1;
    }
    unsigned char *hashed_columns = PyMem_Calloc((size_t)reader.columns, 1);
    int result = -1, started = 0;
    for (int b = 0; b < 2 && hashed_columns != NULL; b++) {
        reader.batches[b].cells = PyMem_Calloc((size_t)BATCH_ROWS * (size_t)reader.columns, sizeof(Cell));
        reader.batches[b].ends = PyMem_Calloc(2 * BATCH_ROWS, sizeof(Seen *));
    }
    if (hashed_columns == NULL || reader.batches[0].cells == NULL || reader.batches[1].cells == NULL
        || reader.batches[0].ends == NULL || reader.batches[1].ends == NULL) {
        PyErr_NoMemory();
        goto done;
    }
    /* an organisation's id is kept by its bytes, a link's ends are found by theirs */
    for (int c = 0; c < first; c++)
        hashed_columns[c] = (unsigned char)(ids == NULL ? c == 0 : c > 0);
    for (Py_ssize_t i = 0; i < builder->count; i++)
        hashed_columns[i + first] = (unsigned char)hashed(&builder->fields[i]);
    reader.hashed_columns = hashed_columns;
    pthread_mutex_init(&reader.lock, NULL);
    pthread_cond_init(&reader.changed, NULL);
    started = 1;
    pthread_t thread;
    if (pthread_create(&thread, NULL, read_ahead, &reader) != 0) {
        PyErr_Format(PyExc_RuntimeError, "%s: could not start the thread that reads them", doing);
        goto done;
    }
    for (int turn = 0;; turn ^= 1) {
        /* The batch is awaited without the GIL: between batches the server's other threads answer their
           requests, as they would between the bytecodes of a projection in Python. */
        Py_BEGIN_ALLOW_THREADS
        pthread_mutex_lock(&reader.lock);
        while (!reader.ready[turn])
            pthread_cond_wait(&reader.changed, &reader.lock);
        pthread_mutex_unlock(&reader.lock);
        Py_END_ALLOW_THREADS
        Batch *batch = &reader.batches[turn];
        if (add(&reader, batch, builder) < 0)
            break;
        if (batch->last) {
            if (reader.status == SQLITE_DONE)
                result = 0;
            else
                PyErr_Format(store_error, "%s: %s", doing,
                             reader.message ? reader.message : sqlite3_errstr(reader.status));
            break;
        }
        pthread_mutex_lock(&reader.lock);
        reader.ready[turn] = 0;
        pthread_cond_broadcast(&reader.changed);
        pthread_mutex_unlock(&reader.lock);
    }
    pthread_mutex_lock(&reader.lock);
    reader.stop = 1;
    pthread_cond_broadcast(&reader.changed);
    pthread_mutex_unlock(&reader.lock);
    pthread_join(thread, NULL);
done:
    if (started) {
        pthread_mutex_destroy(&reader.lock);
        pthread_cond_destroy(&reader.changed);
    }
    for (int b = 0; b < 2; b++) {
        PyMem_Free(reader.batches[b].cells);
        PyMem_Free(reader.batches[b].ends);
        free(reader.batches[b].bytes);
    }
    free(reader.message);
    PyMem_Free(hashed_columns);
    sqlite3_finalize(reader.statement);
    return result;
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
    Builder nodes = {organisation_fields, organisation_count, node_holder, no_arguments, &tables};
    Builder edges = {link_fields, link_count, edge_holder, no_arguments, &tables};
    int read = read_table(db, organisations_query, "reading the organisations", 1, NULL, add_organisations, &nodes);
    if (read == 0)
        read = read_table(db, links_query, "reading the links", 3, &tables.ids, add_links, &edges);
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
