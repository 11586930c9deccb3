/** Terminal styling; a no-op style when colour is off (not a TTY, NO_COLOR set, or --no-color). */
export interface Style {
  bold(s: string): string;
  dim(s: string): string;
  red(s: string): string;
  green(s: string): string;
  yellow(s: string): string;
  blue(s: string): string;
}

const wrap = (open: number, close: number) => (s: string) => `\u001b[${open}m${s}\u001b[${close}m`;

export const colourStyle: Style = {
  bold: wrap(1, 22),
  dim: wrap(2, 22),
  red: wrap(31, 39),
  green: wrap(32, 39),
  yellow: wrap(33, 39),
  blue: wrap(34, 39),
};

const id = (s: string) => s;
export const plainStyle: Style = { bold: id, dim: id, red: id, green: id, yellow: id, blue: id };
