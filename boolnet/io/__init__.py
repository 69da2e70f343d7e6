"""boolnet's files: tables (CSV + CSVW, Parquet, partitioned datasets), atomic writes, terminal rendering.

``paths`` checks outputs and writes atomically; ``formats`` reads and writes one table
file; ``dataset`` holds partitioned datasets; ``tables`` chooses between them;
``render`` prints a table for a terminal. The names below are the public face.
"""

from boolnet.io.paths import atomic_path, atomic_write, check_output_path, clean_stale_temps, save_figure
from boolnet.io.formats import sidecar_path
from boolnet.io.dataset import check_dataset_target, is_dataset, is_dataset_target
from boolnet.io.tables import read_table, write_counts, write_table

__all__ = ["atomic_path", "atomic_write", "check_dataset_target", "check_output_path", "clean_stale_temps",
           "is_dataset", "is_dataset_target", "read_table", "save_figure", "sidecar_path", "write_counts",
           "write_table"]
