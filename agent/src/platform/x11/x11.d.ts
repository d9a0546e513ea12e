/**
 * Types for the parts of node-x11 (the `x11` package, which ships none) that Harbour uses.
 * Names and shapes follow the package's docs (docs/core-requests.md, docs/core-events.md,
 * docs/ext/screen-saver.md); only what agent/src/platform/x11 calls is declared.
 */
declare module 'x11' {
  import type { EventEmitter } from 'node:events';

  export type Callback<T> = (error: X11Error | null, value: T) => void;
  export interface X11Error extends Error {
    error?: number;
    seq?: number;
    badParam?: number;
    majorOpcode?: number;
    minorOpcode?: number;
  }

  export interface WindowValues {
    backgroundPixmap?: number;
    backgroundPixel?: number;
    borderPixel?: number;
    overrideRedirect?: boolean | number;
    saveUnder?: boolean | number;
    eventMask?: number;
    doNotPropagateMask?: number;
    cursor?: number;
    colormap?: number;
  }

  export interface WindowAttributes {
    klass: number;
    mapState: number;
    overrideRedirect: number | boolean;
    visual: number;
  }

  export interface Property {
    type: number;
    format: number;
    bytesAfter: number;
    data: Buffer;
  }

  /** The fields of the events Harbour reads; which are set depends on `name`. */
  export interface X11Event {
    name: string;
    type: number;
    seq: number;
    /** The window the event is about (see docs/core-events.md for each event). */
    wid: number;
    /** ConfigureNotify: the configured window. */
    wid1?: number;
    /** Structure events: the window the event was reported on. */
    event?: number;
    parent?: number;
    child?: number;
    root?: number;
    atom?: number;
    state?: number;
    keycode?: number;
    time?: number;
    rootx?: number;
    rooty?: number;
    x?: number;
    y?: number;
    width?: number;
    height?: number;
    buttons?: number;
    overrideRedirect?: boolean | number;
    aboveSibling?: number;
    mode?: number;
    message_type?: number;
    format?: number;
    data?: number[];
    count?: number;
    [field: string]: unknown;
  }

  export interface ScreenSaverInfo {
    state: number;
    window: number;
    until: number;
    idle: number;
    eventMask: number;
    kind: number;
  }
  export interface ScreenSaverExt {
    QueryInfo(drawable: number, cb: Callback<ScreenSaverInfo>): void;
  }

  /** Composite: a window's contents kept in a pixmap of its own (what the cover's hand-over uses). */
  export interface CompositeExt {
    Redirect: { Automatic: number; Manual: number };
    RedirectWindow(window: number, updateType: number): void;
  }

  /** RENDER (docs/ext/render.md): what the thumbnail scaling uses. */
  export interface RenderExt {
    /** The PICTFORMAT of 24-bit RGB (the root window's on the servers Harbour meets). */
    rgb24: number;
    PictOp: { Src: number };
    CreatePicture(pid: number, drawable: number, format: number, values?: { subwindowMode?: number }): void;
    FreePicture(pid: number): void;
    /** A 3×3 matrix mapping destination to source coordinates (numbers; sent as 16.16 fixed). */
    SetPictureTransform(pid: number, matrix: number[]): void;
    SetPictureFilter(pid: number, name: string, params?: number[]): void;
    Composite(
      op: number,
      src: number,
      mask: number,
      dst: number,
      srcX: number,
      srcY: number,
      maskX: number,
      maskY: number,
      dstX: number,
      dstY: number,
      width: number,
      height: number,
    ): void;
  }

  export interface XTestExt {
    KeyPress: number;
    KeyRelease: number;
    ButtonPress: number;
    ButtonRelease: number;
    MotionNotify: number;
    FakeInput(type: number, detail: number, time: number, window: number, x: number, y: number): void;
  }

  export interface XClient extends EventEmitter {
    AllocID(): number;
    ReleaseID(id: number): void;
    CreateWindow(
      wid: number,
      parent: number,
      x: number,
      y: number,
      width: number,
      height: number,
      borderWidth: number,
      depth: number,
      klass: number,
      visual: number,
      values?: WindowValues,
    ): boolean;
    ChangeWindowAttributes(wid: number, values: WindowValues, cb?: (error: X11Error | null) => void): boolean;
    GetWindowAttributes(wid: number, cb: Callback<WindowAttributes>): void;
    DestroyWindow(wid: number): boolean;
    ReparentWindow(wid: number, parent: number, x: number, y: number): boolean;
    MapWindow(wid: number): boolean;
    UnmapWindow(wid: number): boolean;
    ConfigureWindow(
      wid: number,
      options: {
        x?: number;
        y?: number;
        width?: number;
        height?: number;
        sibling?: number;
        stackMode?: number;
      },
    ): boolean;
    MoveResizeWindow(wid: number, x: number, y: number, width: number, height: number): boolean;
    RaiseWindow(wid: number): boolean;
    QueryTree(wid: number, cb: Callback<{ root: number; parent: number; children: number[] }>): void;
    InternAtom(onlyIfExists: boolean, name: string, cb: Callback<number>): void;
    GetProperty(
      del: number,
      wid: number,
      name: number,
      type: number,
      longOffset: number,
      longLength: number,
      cb: Callback<Property>,
    ): void;
    ChangeProperty(
      mode: number,
      wid: number,
      name: number,
      type: number,
      format: number,
      data: Buffer | string | number | number[],
    ): boolean;
    GrabKeyboard(
      wid: number,
      ownerEvents: boolean | number,
      time: number,
      pointerMode: number,
      keyboardMode: number,
      cb: Callback<number>,
    ): void;
    UngrabKeyboard(time: number): boolean;
    /** A passive grab: the press of `button` on `wid` grabs the pointer in the X server itself. */
    GrabButton(
      wid: number,
      ownerEvents: boolean | number,
      mask: number,
      pointerMode: number,
      keyboardMode: number,
      confineTo: number,
      cursor: number,
      button: number,
      modifiers: number,
    ): boolean;
    /** Thaws events a synchronous grab froze (mode 3: AsyncKeyboard). */
    AllowEvents(mode: number, time: number): boolean;
    GrabPointer(
      wid: number,
      ownerEvents: boolean | number,
      mask: number,
      pointerMode: number,
      keyboardMode: number,
      confineTo: number,
      cursor: number,
      time: number,
      cb: Callback<number>,
    ): void;
    UngrabPointer(time: number): boolean;
    GrabKey(
      wid: number,
      ownerEvents: boolean | number,
      modifiers: number,
      key: number,
      pointerMode: number,
      keyboardMode: number,
      cb?: (error: X11Error | null) => void,
    ): boolean;
    UngrabKey(wid: number, key: number, modifiers: number): boolean;
    GetKeyboardMapping(first: number, count: number, cb: Callback<number[][]>): void;
    SendEvent(
      destination: number,
      propagate: boolean,
      eventMask: number,
      event: Record<string, unknown>,
    ): boolean;
    GetInputFocus(cb: Callback<{ focus: number; revertTo: number }>): void;
    CreateGC(
      gc: number,
      drawable: number,
      values: { foreground?: number; background?: number; font?: number; lineWidth?: number },
    ): boolean;
    ChangeGC(gc: number, values: { foreground?: number; background?: number; font?: number }): boolean;
    OpenFont(fid: number, name: string): boolean;
    PolyText8(drawable: number, gc: number, x: number, y: number, items: string[]): boolean;
    PolyFillArc(drawable: number, gc: number, arcs: number[]): boolean;
    PolyFillRectangle(drawable: number, gc: number, rects: number[]): boolean;
    FreeGC(gc: number): boolean;
    PutImage(
      format: number,
      drawable: number,
      gc: number,
      width: number,
      height: number,
      x: number,
      y: number,
      leftPad: number,
      depth: number,
      data: Buffer,
    ): boolean;
    CreatePixmap(pixmap: number, drawable: number, depth: number, width: number, height: number): boolean;
    FreePixmap(pixmap: number): boolean;
    ClearArea(wid: number, x: number, y: number, width: number, height: number, exposures: number): boolean;
    GetImage(
      format: number,
      drawable: number,
      x: number,
      y: number,
      width: number,
      height: number,
      planeMask: number,
      cb: Callback<{ depth: number; visualId: number; data: Buffer }>,
    ): void;
    require(name: 'render', cb: Callback<RenderExt>): void;
    require(name: 'composite', cb: Callback<CompositeExt>): void;
    require(name: 'screen-saver', cb: Callback<ScreenSaverExt>): void;
    require(name: 'xtest', cb: Callback<XTestExt>): void;
    sync(): Promise<void>;
    flush(): Promise<void>;
    terminate(): void;
    atoms: Record<string, number>;
  }

  export interface Screen {
    root: number;
    root_depth: number;
    white_pixel: number;
    black_pixel: number;
    pixel_width: number;
    pixel_height: number;
  }

  export interface Display {
    client: XClient;
    screen: Screen[];
    min_keycode: number;
    max_keycode: number;
    resource_base: number;
    resource_mask: number;
  }

  export function createClient(
    options: { display?: string },
    cb: (error: X11Error | null, display: Display) => void,
  ): XClient;

  export const eventMask: Record<string, number>;
}
