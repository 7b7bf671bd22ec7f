/* The links in force on a day, found in C (issue 15).

   Every gap, structure and upkeep analysis starts from the links in force
   (network.analysis.layers.Layers): one pass over every link of the graph,
   reading its kind, status and dates. In Python that pass was the largest
   single cost of the report at 10,000 organisations and of the gaps query at
   50,000 (six dict lookups and a tuple per link, half a million links). This
   module makes the same pass over NetworkX's adjacency dicts, with the same
   comparisons (Python's own, so a date compares as it does in Python) and
   the same answer, in the same order: tests/test_layers_built.py checks it
   against network.meanings.in_force and against the edges NetworkX yields. */

#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static PyObject *KIND, *STATUS, *START_DATE, *END_DATE, *TWO_WAY, *ACTIVE, *EXPIRED;

/* Links read between two moments when the GIL is let go, so the server's other threads answer their requests
   meanwhile, as they would between the bytecodes of the loop in Python. */
#define LINKS_BETWEEN_PAUSES 16384

/* A growing array of fixed-width items (node numbers as int64, flags as bytes), handed to Python as a bytearray
   (numpy.frombuffer reads it). */
typedef struct {
    char *items;
    Py_ssize_t size, capacity;  /* in bytes */
} Grown;

static int grown_add(Grown *grown, const void *item, Py_ssize_t width)
{
    if (grown->size + width > grown->capacity) {
        Py_ssize_t capacity = grown->capacity ? 2 * grown->capacity : 4096 * width;
        char *bigger = realloc(grown->items, (size_t)capacity);
        if (bigger == NULL) {
            PyErr_NoMemory();
            return -1;
        }
        grown->items = bigger;
        grown->capacity = capacity;
    }
    memcpy(grown->items + grown->size, item, (size_t)width);
    grown->size += width;
    return 0;
}

static int numbers_add(Grown *numbers, int64_t number)
{
    return grown_add(numbers, &number, (Py_ssize_t)sizeof number);
}

static int flags_add(Grown *flags, char flag)
{
    return grown_add(flags, &flag, 1);
}

static PyObject *grown_bytes(Grown *grown)
{
    return PyByteArray_FromStringAndSize(grown->items, grown->size);
}

/* A field of a link's dict (a borrowed reference), or NULL when it has none; sets *failed on an error. */
static PyObject *field(PyObject *data, PyObject *name, int *failed)
{
    PyObject *value = PyDict_GetItemWithError(data, name);
    if (value == NULL && PyErr_Occurred())
        *failed = 1;
    return value;
}

/* 1 if the link is in force on ``day``, 0 if not, -1 on an error: network.meanings.in_force. Its end date
   (borrowed, NULL when it has none) is left in ``*end``. */
static int link_in_force(PyObject *data, PyObject *day, PyObject **end_date)
{
    int failed = 0, verdict;
    PyObject *status = field(data, STATUS, &failed), *end = *end_date = field(data, END_DATE, &failed), *start;
    if (failed)
        return -1;
    if (status != NULL) {
        /* ``status and status != "active" and (status != "expired" or end is None)``: not in force */
        if ((verdict = PyObject_IsTrue(status)) <= 0) {
            if (verdict < 0)
                return -1;
        } else if ((verdict = PyObject_RichCompareBool(status, ACTIVE, Py_NE)) != 0) {
            if (verdict < 0)
                return -1;
            if (end == NULL || end == Py_None)
                return 0;
            if ((verdict = PyObject_RichCompareBool(status, EXPIRED, Py_NE)) != 0)
                return verdict < 0 ? -1 : 0;
        }
    }
    start = field(data, START_DATE, &failed);
    if (failed)
        return -1;
    if (start != NULL && start != Py_None && (verdict = PyObject_RichCompareBool(start, day, Py_LE)) <= 0)
        return verdict;
    if (end != NULL && end != Py_None)
        return PyObject_RichCompareBool(end, day, Py_GE);
    return 1;
}

/* The node's number, or -1 when ``number`` has none for it (-2 on an error). */
static int64_t number_of(PyObject *number, PyObject *node)
{
    PyObject *found = PyDict_GetItemWithError(number, node);
    if (found == NULL)
        return PyErr_Occurred() ? -2 : -1;
    int64_t i = PyLong_AsLongLong(found);
    return i == -1 && PyErr_Occurred() ? -2 : i;
}

static int add_link(PyObject *links, PyObject *kinds, PyObject *end_dates, PyObject *u, PyObject *v, PyObject *key,
                    PyObject *data, PyObject *kind, PyObject *end)
{
    PyObject *link = PyTuple_Pack(4, u, v, key, data);
    if (link == NULL)
        return -1;
    int failed = PyList_Append(links, link) < 0 || PyList_Append(kinds, kind ? kind : Py_None) < 0
             || PyList_Append(end_dates, end ? end : Py_None) < 0;
    Py_DECREF(link);
    return failed ? -1 : 0;
}

static int dict_check(PyObject *value, const char *what)
{
    if (PyDict_Check(value))
        return 0;
    PyErr_Format(PyExc_TypeError, "%s must be a dict, not %.100s", what, Py_TYPE(value)->tp_name);
    return -1;
}

PyDoc_STRVAR(links_doc,
"links(adjacency, number, day, wanted) -> (links, kinds, end_dates, tails, heads, two_way)\n\n"
"The links in force on ``day`` of a MultiDiGraph's ``adjacency`` (``G._adj``) between the nodes that\n"
"``number`` numbers, of the ``wanted`` kinds (a set; None: all), in edge order: ``(u, v, key, data)`` each,\n"
"each one's kind and end date (None where it has none), its ends' numbers as two bytearrays of int64, and\n"
"whether its ``two_way`` is true, a byte each.");

static PyObject *links(PyObject *self, PyObject *args)
{
    PyObject *adjacency, *number, *day, *wanted, *u, *targets, *v, *parallel, *key, *data;
    Py_ssize_t i = 0, read = 0;
    Grown tails = {0}, heads = {0}, two_way = {0};
    PyObject *found = NULL, *links = PyList_New(0), *kinds = PyList_New(0), *end_dates = PyList_New(0);
    if (!PyArg_ParseTuple(args, "O!O!OO:links", &PyDict_Type, &adjacency, &PyDict_Type, &number, &day, &wanted)
        || links == NULL || kinds == NULL || end_dates == NULL)
        goto done;
    while (PyDict_Next(adjacency, &i, &u, &targets)) {
        int64_t tail = number_of(number, u);
        if (tail == -2 || dict_check(targets, "a node's neighbours") < 0)
            goto done;
        if (tail < 0)
            continue;
        Py_ssize_t j = 0;
        while (PyDict_Next(targets, &j, &v, &parallel)) {
            int64_t head = number_of(number, v);
            if (head == -2 || dict_check(parallel, "a pair's links") < 0)
                goto done;
            if (head < 0)
                continue;
            Py_ssize_t k = 0;
            while (PyDict_Next(parallel, &k, &key, &data)) {
                int failed = 0, verdict;
                read++;
                if (dict_check(data, "a link's data") < 0)
                    goto done;
                PyObject *kind = field(data, KIND, &failed);
                if (failed)
                    goto done;
                if (wanted != Py_None) {
                    if ((verdict = PySequence_Contains(wanted, kind ? kind : Py_None)) < 0)
                        goto done;
                    if (!verdict)
                        continue;
                }
                PyObject *end;
                if ((verdict = link_in_force(data, day, &end)) < 0)
                    goto done;
                if (!verdict)
                    continue;
                PyObject *both = field(data, TWO_WAY, &failed);
                if (failed || (verdict = both == NULL ? 0 : PyObject_IsTrue(both)) < 0)
                    goto done;
                if (add_link(links, kinds, end_dates, u, v, key, data, kind, end) < 0
                    || numbers_add(&tails, tail) < 0 || numbers_add(&heads, head) < 0
                    || flags_add(&two_way, (char)verdict) < 0)
                    goto done;
            }
        }
        if (read >= LINKS_BETWEEN_PAUSES) {
            /* between two organisations: nothing borrowed from the adjacency is held but the adjacency */
            read = 0;
            Py_BEGIN_ALLOW_THREADS
            Py_END_ALLOW_THREADS
        }
    }
    PyObject *tail_bytes = grown_bytes(&tails), *head_bytes = grown_bytes(&heads);
    PyObject *two_way_bytes = grown_bytes(&two_way);
    if (tail_bytes != NULL && head_bytes != NULL && two_way_bytes != NULL)
        found = PyTuple_Pack(6, links, kinds, end_dates, tail_bytes, head_bytes, two_way_bytes);
    Py_XDECREF(tail_bytes);
    Py_XDECREF(head_bytes);
    Py_XDECREF(two_way_bytes);
done:
    free(tails.items);
    free(heads.items);
    free(two_way.items);
    Py_XDECREF(links);
    Py_XDECREF(kinds);
    Py_XDECREF(end_dates);
    return found;
}

static PyMethodDef methods[] = {
    {"links", links, METH_VARARGS, links_doc},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef in_force_module = {
    PyModuleDef_HEAD_INIT, "network.analysis._in_force",
    "The links in force on a day, found in C (see network.analysis.layers).", -1, methods,
};

PyMODINIT_FUNC PyInit__in_force(void)
{
    if ((KIND = PyUnicode_InternFromString("kind")) == NULL
        || (STATUS = PyUnicode_InternFromString("status")) == NULL
        || (START_DATE = PyUnicode_InternFromString("start_date")) == NULL
        || (END_DATE = PyUnicode_InternFromString("end_date")) == NULL
        || (TWO_WAY = PyUnicode_InternFromString("two_way")) == NULL
        || (ACTIVE = PyUnicode_InternFromString("active")) == NULL
        || (EXPIRED = PyUnicode_InternFromString("expired")) == NULL)
        return NULL;
    return PyModule_Create(&in_force_module);
}
