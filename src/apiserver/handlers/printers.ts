// The table printer for kinds without their own (NAME, AGE), shared by tables and watches.
export { defaultTablePrinter as defaultPrinter } from '../../api/printers/default.js';
