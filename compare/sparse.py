"""Row-sparse matrices in numpy alone: what `compare run` needs of scipy.sparse, without its import.

Importing scipy.sparse costs a `compare run` about 0.2–0.5 s (it pulls numpy.f2py, numpy.testing and
charset_normalizer behind them), more than the whole alignment of two plans. :class:`Rows` holds CSR
arrays (``data``, ``indices`` sorted within each row, ``indptr``) and does the few operations the
aligner uses: selecting rows, summing rows, and the product of two row sets ``x · yᵀ`` as a dense array.

Every result is bit-for-bit what scipy.sparse gives for the same CSR input, so scores do not move:
:func:`dot_t` adds each cell's products in the order scipy's ``csr_matmat`` does (over the shared
columns in increasing order, starting from 0), :meth:`Rows.row_sums` reduces as scipy's ``sum(axis=1)``
does (``np.add.reduceat``), and :meth:`Rows.column_sums` as its ``sum(axis=0)`` (row by row).
tests/test_sparse.py checks each against scipy.
"""
from __future__ import annotations

TERMS_PER_BLOCK = 1 << 20  # products (x entry × y entry on a shared column) held at once: about 48 MB of work arrays


class Rows:
    """A CSR matrix of ``shape`` (rows, columns): row r's columns are ``indices[indptr[r]:indptr[r+1]]``
    (increasing) with values ``data[...]`` (float64)."""

    __slots__ = ("data", "indices", "indptr", "shape")

    def __init__(self, data, indices, indptr, n_cols: int):
        import numpy as np

        self.data = np.asarray(data, dtype=np.float64)
        self.indices = np.asarray(indices)
        self.indptr = np.asarray(indptr, dtype=np.int64)
        self.shape = (len(self.indptr) - 1, int(n_cols))

    @classmethod
    def from_coo(cls, rows, cols, values, shape: tuple[int, int]) -> "Rows":
        """From (row, column, value) triples; duplicates summed in the order given, columns sorted in each row."""
        import numpy as np

        rows = np.asarray(rows, dtype=np.int64)
        cols = np.asarray(cols, dtype=np.int64)
        values = np.asarray(values, dtype=np.float64)
        order = np.lexsort((cols, rows))  # stable: equal cells keep their given order
        rows, cols, values = rows[order], cols[order], values[order]
        first = np.ones(len(rows), dtype=bool)
        first[1:] = (rows[1:] != rows[:-1]) | (cols[1:] != cols[:-1])
        cell = np.cumsum(first) - 1
        data = np.bincount(cell, weights=values, minlength=int(first.sum())) if len(rows) else values
        rows, cols = rows[first], cols[first]
        keep = data != 0  # as scipy's sum_duplicates and prune: explicit zeros dropped
        rows, cols, data = rows[keep], cols[keep], data[keep]
        indptr = np.zeros(shape[0] + 1, dtype=np.int64)
        np.cumsum(np.bincount(rows, minlength=shape[0]), out=indptr[1:])
        return cls(data, cols.astype(np.int32), indptr, shape[1])

    @property
    def nnz(self) -> int:
        return int(self.indptr[-1])

    def __len__(self) -> int:
        return self.shape[0]

    def take(self, rows) -> "Rows":
        """The rows numbered in ``rows`` (a list, an int array or a slice), in that order."""
        import numpy as np

        if isinstance(rows, slice):
            lo, hi, step = rows.indices(self.shape[0])
            if step == 1:
                hi = max(lo, hi)
                s, e = self.indptr[lo], self.indptr[hi]
                return Rows(self.data[s:e], self.indices[s:e], self.indptr[lo:hi + 1] - s, self.shape[1])
            rows = range(lo, hi, step)
        rows = np.asarray(rows, dtype=np.int64).reshape(-1)
        starts, ends = self.indptr[rows], self.indptr[rows + 1]
        lengths = ends - starts
        indptr = np.zeros(len(rows) + 1, dtype=np.int64)
        np.cumsum(lengths, out=indptr[1:])
        at = np.arange(indptr[-1]) + np.repeat(starts - indptr[:-1], lengths)
        return Rows(self.data[at], self.indices[at], indptr, self.shape[1])

    __getitem__ = take

    def with_data(self, data) -> "Rows":
        """The same pattern with other values (``x.with_data(x.data ** 2)``)."""
        return Rows(data, self.indices, self.indptr, self.shape[1])

    def row_of_entry(self):
        import numpy as np

        return np.repeat(np.arange(self.shape[0]), np.diff(self.indptr))

    def row_sums(self):
        """Sum of each row (dense float64, one per row)."""
        import numpy as np

        out = np.zeros(self.shape[0])
        filled = np.flatnonzero(np.diff(self.indptr))
        if len(filled):
            out[filled] = np.add.reduceat(self.data, self.indptr[filled])
        return out

    def column_sums(self):
        """Sum over the rows, in row order (dense float64, one per column)."""
        import numpy as np

        return np.bincount(self.indices, weights=self.data, minlength=self.shape[1])

    def toarray(self):
        import numpy as np

        out = np.zeros(self.shape)
        out[self.row_of_entry(), self.indices] = self.data
        return out

    def to_scipy(self):
        """The same matrix as a scipy.sparse CSR matrix (imports scipy)."""
        import numpy as np
        from scipy.sparse import csr_matrix

        index_type = np.int32 if self.nnz < 2**31 else np.int64
        return csr_matrix((self.data, self.indices.astype(index_type, copy=False),
                           self.indptr.astype(index_type, copy=False)), shape=self.shape)


def dot_t(x: Rows, y: Rows):
    """``x · yᵀ`` as a dense float64 array (len(x) × len(y)); see :func:`dot_t_blocks`."""
    import numpy as np

    for _, block in dot_t_blocks(x, y, max(1, x.shape[0])):
        return block
    return np.zeros((0, y.shape[0]))


def dot_t_blocks(x: Rows, y: Rows, rows: int):
    """``x · yᵀ`` ``rows`` rows of x at a time: yields (first row, dense float64 block of rows × len(y)).

    Only the blocks the caller asks for are held whole. Each cell adds its products over the shared
    columns in increasing column order, from 0, as scipy's ``csr_matmat`` does, by one of two ways,
    whichever is cheaper for the block: sparse rows (few products per shared column, as in real plans)
    list their products, at most TERMS_PER_BLOCK at a time, and add them with one ``bincount``; dense
    ones (many rows sharing each column) add one column's outer product at a time
    (:func:`_by_columns`). Memory stays bounded by the block however many rows the two hold."""
    import numpy as np

    if x.shape[1] != y.shape[1]:
        raise ValueError(f"column counts differ: {x.shape[1]} and {y.shape[1]}")
    n_x, n_y = x.shape[0], y.shape[0]
    # y's entries grouped by column (stable: by y row within a column)
    by_column = np.argsort(y.indices, kind="stable")
    y_row = y.row_of_entry()[by_column]
    y_value = y.data[by_column]
    column_start = np.zeros(y.shape[1] + 1, dtype=np.int64)
    np.cumsum(np.bincount(y.indices, minlength=y.shape[1]), out=column_start[1:])

    cols = x.indices.astype(np.int64, copy=False)
    per_entry = column_start[cols + 1] - column_start[cols]  # products each x entry makes
    products_before = np.zeros(len(cols) + 1, dtype=np.int64)
    np.cumsum(per_entry, out=products_before[1:])
    products_at_row = products_before[x.indptr]  # products of the rows before each row
    for first in range(0, n_x, rows):
        last = min(first + rows, n_x)
        s, e = int(x.indptr[first]), int(x.indptr[last])
        products = int(products_at_row[last] - products_at_row[first])
        shared = _distinct(cols[s:e][per_entry[s:e] > 0])
        if products > PRODUCTS_PER_COLUMN * len(shared):
            yield first, _by_columns(x, first, last, shared, (y_row, y_value, column_start), n_y)
            continue
        out = np.zeros((last - first) * n_y)
        lo = first
        while lo < last:
            hi = int(np.searchsorted(products_at_row, products_at_row[lo] + TERMS_PER_BLOCK, side="right")) - 1
            hi = min(max(hi, lo + 1), last)
            s, e = int(x.indptr[lo]), int(x.indptr[hi])
            counts = per_entry[s:e]
            entry = np.repeat(np.arange(s, e), counts)  # the x entry of each product, in x's order
            at = np.arange(len(entry)) + np.repeat(column_start[cols[s:e]] - (np.cumsum(counts) - counts), counts)
            x_row = np.repeat(np.arange(lo - first, hi - first), np.diff(x.indptr[lo:hi + 1]))
            cell = x_row[entry - s] * n_y + y_row[at]  # its y entry is `at`
            # bincount adds in array order: each cell's products in increasing column order, from 0
            out[(lo - first) * n_y:(hi - first) * n_y] = np.bincount(
                cell - (lo - first) * n_y, weights=x.data[entry] * y_value[at], minlength=(hi - lo) * n_y)
            lo = hi
        yield first, out.reshape(last - first, n_y)


def _distinct(values):
    """Sorted distinct values (np.unique without its check for masked arrays, which imports numpy.ma: 20 ms)."""
    import numpy as np

    values = np.sort(values)
    keep = np.ones(len(values), dtype=bool)
    keep[1:] = values[1:] != values[:-1]
    return values[keep]


PRODUCTS_PER_COLUMN = 256  # past this many products per shared column, a block adds column by column


def _by_columns(x: Rows, first: int, last: int, shared, y_by_column, n_y: int):
    """Rows first..last of ``x · yᵀ``, adding each shared column's outer product in increasing column order
    (a cell gains one product per column: the order of scipy's sums, whatever the rows hold)."""
    import numpy as np

    y_row, y_value, column_start = y_by_column
    out = np.zeros((last - first, n_y))
    s, e = int(x.indptr[first]), int(x.indptr[last])
    order = np.argsort(x.indices[s:e], kind="stable")
    x_cols = x.indices[s:e][order]
    x_rows = np.repeat(np.arange(last - first), np.diff(x.indptr[first:last + 1]))[order]
    x_values = x.data[s:e][order]
    starts = np.searchsorted(x_cols, shared, side="left").tolist()
    ends = np.searchsorted(x_cols, shared, side="right").tolist()
    x_full, y_full, product = np.zeros(last - first), np.zeros(n_y), None
    for k, a, b in zip(shared.tolist(), starts, ends):
        ry = slice(int(column_start[k]), int(column_start[k + 1]))
        if (b - a) * (ry.stop - ry.start) * 4 < out.size:  # a column most rows lack: its cells only
            out[np.ix_(x_rows[a:b], y_row[ry])] += np.multiply.outer(x_values[a:b], y_value[ry])
            continue
        # a column most rows hold: the whole outer product (a cell without the column adds 0.0, exactly)
        x_full[:] = 0.0
        x_full[x_rows[a:b]] = x_values[a:b]
        y_full[:] = 0.0
        y_full[y_row[ry]] = y_value[ry]
        product = np.multiply.outer(x_full, y_full, out=product)
        out += product
    return out


def segment_sums(values, lengths):
    """The sum of each run of ``values`` (consecutive runs of the given ``lengths``), each bit-for-bit
    ``values[lo:hi].sum()``: numpy's pairwise summation (8 partial sums, halves past 128 terms) done for all
    runs of one length at once, instead of one ``sum`` call per run. float64; an empty run sums to 0."""
    import numpy as np

    lengths = np.asarray(lengths, dtype=np.int64)
    starts = np.zeros(len(lengths), dtype=np.int64)
    np.cumsum(lengths[:-1], out=starts[1:])
    out = np.zeros(len(lengths), dtype=np.float64)
    distinct = np.flatnonzero(np.bincount(lengths)).tolist() if len(lengths) else []  # not np.unique: numpy.ma
    if len(lengths) < 16 * len(distinct):  # few runs of each length (two plans): a sum per run costs less
        for k, (lo, n) in enumerate(zip(starts.tolist(), lengths.tolist())):
            if n:
                out[k] = values[lo:lo + n].sum()
        return out
    for length in distinct:
        if length:
            runs = np.flatnonzero(lengths == length)
            out[runs] = _pairwise_sums(values[starts[runs][:, None] + np.arange(length)])
    return out


def _pairwise_sums(block):
    """Each row of a 2-D float64 array summed as numpy's pairwise_sum sums one contiguous row."""
    n = block.shape[1]
    if n < 8:
        total = block[:, 0].copy()
        for i in range(1, n):
            total += block[:, i]
        return total
    if n <= 128:
        partial = block[:, :8].copy()
        whole = n - n % 8
        for i in range(8, whole, 8):
            partial += block[:, i:i + 8]
        total = ((partial[:, 0] + partial[:, 1]) + (partial[:, 2] + partial[:, 3])) + \
                ((partial[:, 4] + partial[:, 5]) + (partial[:, 6] + partial[:, 7]))
        for i in range(whole, n):
            total += block[:, i]
        return total
    half = n // 2
    half -= half % 8
    return _pairwise_sums(block[:, :half]) + _pairwise_sums(block[:, half:])
