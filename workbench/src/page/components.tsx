import {
  Children,
  createContext,
  useCallback,
  useContext,
  useEffect,
  useId,
  useRef,
  useState,
  type ComponentType,
  type CSSProperties,
  type ReactNode,
} from 'react';
import { createPortal } from 'react-dom';

/**
 * HTML implementations of HubSpot's UI extension components (@hubspot/ui-extensions 0.17), drawn by the workbench
 * page for the @remote-ui tree an extension renders in its worker. Keys are the remote component names registered in
 * node_modules/@hubspot/ui-extensions/dist/shared.synced/remoteComponents.synced.js; props are the ones declared in
 * node_modules/@hubspot/ui-extensions/dist/shared.synced/types/components/*.d.ts.
 *
 * Rules kept throughout:
 * - Controls are real HTML controls (<button>, <input>, <select>, <textarea>) with an associated <label>, so a person
 *   and a headless browser reach them by role and label; `disabled` is the real attribute.
 * - Event props are @remote-ui proxies that return promises: they are called, never awaited for drawing, and a
 *   rejection (the worker gone) is logged rather than left unhandled.
 * - Inputs follow HubSpot's documented timing: `onInput` on every edit, `onChange` when the value is committed
 *   (on blur, or Enter in a one-line input), `onBlur` on blur. Select, Toggle and Checkbox commit at once.
 * - A Button's `overlay` (a Modal or Panel) opens on click; it closes with its × button, Escape, or
 *   `overlays.close(id)` (what the extension's `actions.closeOverlay(id)` maps to), and its `onClose` is called then.
 */

type Props = Record<string, any>;

// ---------------------------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------------------------

/**
 * A callback of a component the extension has since re-rendered or removed: @remote-ui/rpc releases a function prop
 * when the prop is replaced ("already released"), and every function of a worker that was stopped ("already
 * revoked"), so a late call (an overlay's onClose as it unmounts, a click racing the update, a card just closed)
 * reaches a function nobody listens to any more. Nothing is lost.
 */
const isReleased = (err: unknown) => err instanceof Error && /already (released|revoked)/.test(err.message);

/** Calls an extension callback (an RPC proxy) without awaiting it; a failure is logged, never thrown at the page. */
function call(fn: unknown, ...args: unknown[]): void {
  if (typeof fn !== 'function') return;
  const failed = (err: unknown) => {
    if (!isReleased(err)) console.error('extension callback failed', err);
  };
  try {
    const result = fn(...args);
    if (result && typeof (result as Promise<unknown>).then === 'function') (result as Promise<unknown>).then(undefined, failed);
  } catch (err) {
    failed(err);
  }
}

let eventCounter = 0;
/** The serialisable part of HubSpot's ExtensionEvent ({type, bubbles, timeStamp, id}). */
function extensionEvent(event: { type: string; bubbles: boolean; timeStamp: number }) {
  eventCounter += 1;
  return { type: event.type, bubbles: event.bubbles, timeStamp: event.timeStamp, id: `wb-event-${eventCounter}` };
}

function cx(...names: Array<string | false | null | undefined>): string {
  return names.filter(Boolean).join(' ');
}

/** HubSpot's distances (AllDistances: flush | xs..xl with long aliases) in pixels. */
const DISTANCE: Record<string, number> = {
  flush: 0,
  xs: 4,
  'extra-small': 4,
  sm: 8,
  small: 8,
  md: 16,
  medium: 16,
  lg: 24,
  large: 24,
  xl: 32,
  'extra-large': 32,
};
const px = (size: unknown, fallback: number): number => (typeof size === 'string' && size in DISTANCE ? DISTANCE[size]! : fallback);

/** HubSpot's t-shirt sizes reduced to their short form. */
function shortSize(size: unknown): 'xs' | 'sm' | 'md' | 'lg' | 'xl' | undefined {
  switch (size) {
    case 'xs':
    case 'extra-small':
      return 'xs';
    case 'sm':
    case 'small':
      return 'sm';
    case 'md':
    case 'medium':
      return 'md';
    case 'lg':
    case 'large':
      return 'lg';
    case 'xl':
    case 'extra-large':
      return 'xl';
    default:
      return undefined;
  }
}

const FLEX_JUSTIFY: Record<string, string> = { start: 'flex-start', end: 'flex-end', center: 'center', around: 'space-around', between: 'space-between' };
const FLEX_ALIGN: Record<string, string> = { start: 'flex-start', end: 'flex-end', center: 'center', baseline: 'baseline', stretch: 'stretch', auto: 'auto' };

/** An href prop: a string or {url, external}. Links leave the workbench, so they always open a new tab. */
function hrefOf(href: unknown): string | undefined {
  if (typeof href === 'string') return href || undefined;
  if (href && typeof href === 'object' && typeof (href as { url?: unknown }).url === 'string') return (href as { url: string }).url || undefined;
  return undefined;
}

// ---------------------------------------------------------------------------------------------------------------
// Overlays (Modal, Panel)
// ---------------------------------------------------------------------------------------------------------------

interface OverlayControl {
  close(): void;
}
/** Given by the Button (or Link, Tag, Image) that opened an overlay: how the Modal or Panel closes itself. */
const OverlayContext = createContext<OverlayControl | null>(null);

interface OpenOverlay {
  id: string;
  close(): void;
}
/** The overlays on screen, oldest first: `overlays.close(id)` finds one by id, Escape closes the newest. */
const openOverlays: OpenOverlay[] = [];

function onEscape(event: KeyboardEvent) {
  if (event.key !== 'Escape') return;
  const top = openOverlays[openOverlays.length - 1];
  if (top) {
    event.preventDefault();
    top.close();
  }
}

function registerOverlay(entry: OpenOverlay): () => void {
  openOverlays.push(entry);
  if (openOverlays.length === 1 && typeof document !== 'undefined') document.addEventListener('keydown', onEscape);
  return () => {
    const at = openOverlays.lastIndexOf(entry);
    if (at >= 0) openOverlays.splice(at, 1);
    if (openOverlays.length === 0 && typeof document !== 'undefined') document.removeEventListener('keydown', onEscape);
  };
}

/** What the page calls for the extension's `actions.closeOverlay(id)`: closes the open Modal or Panel with that id. */
export const overlays = {
  close(id: string): void {
    for (let i = openOverlays.length - 1; i >= 0; i -= 1) {
      const entry = openOverlays[i]!;
      if (entry.id === id) {
        entry.close();
        return;
      }
    }
  },
};

// Dialogs are drawn into document.body (in place when rendered on a server): a portal keeps a Modal's buttons out of
// any Form around the Button that opened it.
function InPortal({ children }: { children: ReactNode }) {
  const target = typeof document !== 'undefined' ? document.body : null;
  return target ? createPortal(children, target) : <>{children}</>;
}

/** Opening state for a component with an `overlay` prop, and the reactions HubSpot hands its onClick. */
function useOverlayOpener(overlay: ReactNode) {
  const [open, setOpen] = useState(false);
  const control = useRef<OverlayControl>({ close: () => setOpen(false) });
  const reactions = {
    openModal: () => setOpen(Boolean(overlay)),
    openPanel: () => setOpen(Boolean(overlay)),
    closeModal: (id: string) => overlays.close(id),
    closePanel: (id: string) => overlays.close(id),
  };
  const rendered =
    open && overlay ? <OverlayContext.Provider value={control.current}>{overlay}</OverlayContext.Provider> : null;
  return { open, setOpen, reactions, rendered };
}

/** Shared by Modal and Panel: registration by id, onOpen on mount, and a close that calls onClose once. */
function useOverlay(props: Props) {
  const control = useContext(OverlayContext);
  const [closedHere, setClosedHere] = useState(false);
  const latest = useRef(props);
  latest.current = props;
  const closed = useRef(false);

  const close = useCallback(() => {
    if (closed.current) return;
    closed.current = true;
    if (control) control.close();
    else setClosedHere(true);
    call(latest.current.onClose);
  }, [control]);

  useEffect(() => {
    call(latest.current.onOpen);
  }, []);

  useEffect(() => {
    if (closedHere) return undefined;
    closed.current = false;
    const entry = {
      // Read at close time, so an id the extension changes while the overlay is open is still found.
      get id() {
        return String(latest.current.id ?? '');
      },
      close: () => close(),
    };
    return registerOverlay(entry);
  }, [close, closedHere]);

  return { close, hidden: closedHere };
}

/**
 * The dialog both overlays draw (class prefix `hs-modal` or `hs-panel`): named by its title (or aria-label), with a
 * close button, registered under its id for `actions.closeOverlay`.
 */
function OverlaySheet({ props, kind, className, modal, titleId, close }: { props: Props; kind: 'modal' | 'panel'; className: string; modal: boolean; titleId: string; close: () => void }) {
  const label = props['aria-label'] ?? props.title;
  return (
    <div
      className={className}
      role="dialog"
      aria-modal={modal ? 'true' : undefined}
      aria-label={label || undefined}
      aria-labelledby={label ? undefined : titleId}
      data-overlay-id={props.id}
    >
      <div className={`hs-${kind}__header`}>
        <h2 className={`hs-${kind}__title`} id={titleId}>
          {props.title}
        </h2>
        <button type="button" className="hs-close" aria-label="Close" onClick={close}>
          ×
        </button>
      </div>
      <div className={`hs-${kind}__content`}>{props.children}</div>
    </div>
  );
}

function Modal(props: Props) {
  const { close, hidden } = useOverlay(props);
  const titleId = useId();
  if (hidden) return null;
  const className = cx('hs-modal', `hs-modal--${shortSize(props.width) ?? 'md'}`, props.variant === 'danger' && 'hs-modal--danger');
  return (
    <InPortal>
      <div className="hs-backdrop">
        <OverlaySheet props={props} kind="modal" className={className} modal titleId={titleId} close={close} />
      </div>
    </InPortal>
  );
}

function Panel(props: Props) {
  const { close, hidden } = useOverlay(props);
  const titleId = useId();
  if (hidden) return null;
  const modal = props.variant === 'modal';
  const sheet = <OverlaySheet props={props} kind="panel" className={cx('hs-panel', `hs-panel--${shortSize(props.width) ?? 'sm'}`)} modal={modal} titleId={titleId} close={close} />;
  return <InPortal>{modal ? <div className="hs-backdrop hs-backdrop--panel">{sheet}</div> : sheet}</InPortal>;
}

// ---------------------------------------------------------------------------------------------------------------
// Buttons, links, tags
// ---------------------------------------------------------------------------------------------------------------

function Spinner({ size = 'sm' }: { size?: string }) {
  return <span className={cx('hs-spinner', `hs-spinner--${size}`)} aria-hidden="true" />;
}

function ButtonBase(props: Props & { loading?: boolean }) {
  const { children, variant, disabled, type, size, href, truncate, overlay, loading, overlayOptions } = props;
  const { setOpen, reactions, rendered } = useOverlayOpener(overlay);
  const openWhenLoaded = useRef(false);
  const openAfterLoading = overlayOptions?.openBehavior === 'onLoadingFinish';

  useEffect(() => {
    if (!loading && openWhenLoaded.current) {
      openWhenLoaded.current = false;
      setOpen(true);
    }
  }, [loading, setOpen]);

  const onClick = (event: React.MouseEvent) => {
    call(props.onClick, extensionEvent(event), reactions);
    if (overlay) {
      if (openAfterLoading) openWhenLoaded.current = true;
      else setOpen(true);
    }
  };
  const className = cx(
    'hs-button',
    `hs-button--${variant ?? 'secondary'}`,
    `hs-button--${shortSize(size) ?? 'md'}`,
    truncate && 'hs-button--truncate',
    loading && 'hs-button--loading',
  );
  const url = hrefOf(href);
  const content = (
    <>
      {loading ? <Spinner size="xs" /> : null}
      <span className="hs-button__text">{children}</span>
    </>
  );
  return (
    <>
      {url && !disabled ? (
        <a className={className} href={url} target="_blank" rel="noopener noreferrer" onClick={onClick}>
          {content}
        </a>
      ) : (
        <button type={type ?? 'button'} className={className} disabled={Boolean(disabled || loading)} aria-busy={loading ? true : undefined} onClick={onClick}>
          {content}
        </button>
      )}
      {rendered}
    </>
  );
}

function Button(props: Props) {
  return <ButtonBase {...props} loading={false} />;
}

function LoadingButton(props: Props) {
  return <ButtonBase {...props} loading={Boolean(props.loading)} />;
}

function ButtonRow({ children }: Props) {
  return <div className="hs-button-row">{children}</div>;
}

function Link(props: Props) {
  const { children, href, variant, overlay, preventDefault } = props;
  const { setOpen, reactions, rendered } = useOverlayOpener(overlay);
  const url = hrefOf(href);
  const onClick = (event: React.MouseEvent) => {
    if (preventDefault || !url) event.preventDefault();
    call(props.onClick, extensionEvent(event), reactions);
    if (overlay) setOpen(true);
  };
  const className = cx('hs-link', variant && `hs-link--${variant}`);
  return (
    <>
      {url ? (
        <a className={className} href={url} target="_blank" rel="noopener noreferrer" onClick={onClick}>
          {children}
          <span className="hs-visually-hidden"> (opens in a new tab)</span>
        </a>
      ) : (
        <button type="button" className={cx(className, 'hs-link--button')} onClick={onClick}>
          {children}
        </button>
      )}
      {rendered}
    </>
  );
}

function Tag(props: Props) {
  const { children, variant, overlay, inline } = props;
  const { setOpen, reactions, rendered } = useOverlayOpener(overlay);
  const className = cx('hs-tag', `hs-tag--${variant ?? 'default'}`, inline && 'hs-tag--inline');
  const clickable = typeof props.onClick === 'function' || Boolean(overlay);
  return (
    <>
      {clickable ? (
        <button
          type="button"
          className={cx(className, 'hs-tag--clickable')}
          onClick={(event) => {
            call(props.onClick, extensionEvent(event), reactions);
            if (overlay) setOpen(true);
          }}
        >
          {children}
        </button>
      ) : (
        <span className={className}>{children}</span>
      )}
      {rendered}
    </>
  );
}

function StatusTag({ children, variant, hollow, onClick, showRemoveIcon, onRemoveClick }: Props) {
  const className = cx('hs-status-tag', `hs-status-tag--${variant ?? 'default'}`, hollow && 'hs-status-tag--hollow');
  const body = (
    <>
      <span className="hs-status-tag__dot" aria-hidden="true" />
      <span className="hs-status-tag__text">{children}</span>
    </>
  );
  return (
    <span className={className} data-variant={variant ?? 'default'}>
      {typeof onClick === 'function' ? (
        <button type="button" className="hs-status-tag__button" onClick={() => call(onClick)}>
          {body}
        </button>
      ) : (
        body
      )}
      {showRemoveIcon ? (
        <button type="button" className="hs-status-tag__remove" aria-label="Remove" onClick={() => call(onRemoveClick)}>
          ×
        </button>
      ) : null}
    </span>
  );
}

function Image(props: Props) {
  const { src, alt, width, height, href, overlay } = props;
  const { setOpen, reactions, rendered } = useOverlayOpener(overlay);
  const url = hrefOf(href);
  const img = <img className="hs-image" src={src} alt={alt ?? ''} width={width} height={height} />;
  const clickable = typeof props.onClick === 'function' || Boolean(overlay);
  const onClick = (event: React.MouseEvent) => {
    call(props.onClick, extensionEvent(event), reactions);
    if (overlay) setOpen(true);
  };
  return (
    <>
      {url ? (
        <a href={url} target="_blank" rel="noopener noreferrer" onClick={onClick}>
          {img}
        </a>
      ) : clickable ? (
        <button type="button" className="hs-image-button" onClick={onClick}>
          {img}
        </button>
      ) : (
        img
      )}
      {rendered}
    </>
  );
}

// ---------------------------------------------------------------------------------------------------------------
// Text and feedback
// ---------------------------------------------------------------------------------------------------------------

function Text({ children, variant, inline, format, truncate }: Props) {
  const style: CSSProperties = {};
  if (format?.fontWeight === 'bold') style.fontWeight = 700;
  else if (format?.fontWeight === 'demibold') style.fontWeight = 600;
  else if (format?.fontWeight === 'regular') style.fontWeight = 400;
  if (format?.italic) style.fontStyle = 'italic';
  if (format?.lineDecoration === 'underline') style.textDecoration = 'underline';
  else if (format?.lineDecoration === 'strikethrough') style.textDecoration = 'line-through';
  const transform = format?.textTransform;
  if (transform === 'uppercase' || transform === 'lowercase' || transform === 'capitalize') style.textTransform = transform;
  let title: string | undefined;
  if (truncate) {
    style.overflow = 'hidden';
    style.textOverflow = 'ellipsis';
    style.whiteSpace = 'nowrap';
    if (typeof truncate === 'object') {
      if (typeof truncate.maxWidth === 'number') style.maxWidth = truncate.maxWidth;
      if (typeof truncate.tooltipText === 'string') title = truncate.tooltipText;
    }
  }
  const className = cx('hs-text', variant === 'microcopy' && 'hs-text--microcopy', transform === 'sentenceCase' && 'hs-text--sentence');
  return inline ? (
    <span className={cx(className, 'hs-text--inline')} style={style} title={title}>
      {children}
    </span>
  ) : (
    <div className={className} style={style} title={title}>
      {children}
    </div>
  );
}

function Heading({ children, inline }: Props) {
  return <h2 className={cx('hs-heading', inline && 'hs-heading--inline')}>{children}</h2>;
}

const ALERT_ICON: Record<string, string> = { info: 'i', tip: '✦', success: '✓', warning: '!', danger: '!', error: '!' };

function Alert({ title, children, variant }: Props) {
  const kind = variant ?? 'info';
  const titleId = useId();
  const urgent = kind === 'warning' || kind === 'danger' || kind === 'error';
  return (
    <div className={cx('hs-alert', `hs-alert--${kind}`)} role={urgent ? 'alert' : 'status'} aria-labelledby={titleId} data-variant={kind}>
      <span className="hs-alert__icon" aria-hidden="true">
        {ALERT_ICON[kind] ?? 'i'}
      </span>
      <div className="hs-alert__body">
        <div className="hs-alert__title" id={titleId}>
          {title}
        </div>
        {children ? <div className="hs-alert__content">{children}</div> : null}
      </div>
    </div>
  );
}

function EmptyState({ title, children, layout, reverseOrder, flush }: Props) {
  return (
    <div
      className={cx('hs-state', 'hs-empty-state', layout === 'horizontal' && 'hs-state--horizontal', reverseOrder && 'hs-state--reverse', flush && 'hs-state--flush')}
      data-state="empty"
    >
      <div className="hs-state__image" aria-hidden="true">
        ☐
      </div>
      <div className="hs-state__body">
        {title ? <h3 className="hs-state__title">{title}</h3> : null}
        <div className="hs-state__content">{children}</div>
      </div>
    </div>
  );
}

function ErrorState({ title, children, type }: Props) {
  return (
    <div className={cx('hs-state', 'hs-error-state')} data-state={type ?? 'error'} role="alert" aria-label={title ?? 'Something went wrong'}>
      <div className="hs-state__image hs-state__image--error" aria-hidden="true">
        {type === 'lock' ? '🔒' : '!'}
      </div>
      <div className="hs-state__body">
        <h3 className="hs-state__title">{title ?? 'Something went wrong'}</h3>
        <div className="hs-state__content">{children}</div>
      </div>
    </div>
  );
}

function LoadingSpinner({ label, showLabel, size, layout }: Props) {
  return (
    <div className={cx('hs-loading', layout === 'centered' && 'hs-loading--centered')} role="status" aria-label={label}>
      <Spinner size={shortSize(size) ?? 'sm'} />
      {showLabel ? <span className="hs-loading__label">{label}</span> : null}
    </div>
  );
}

function ProgressBar({ title, value = 0, maxValue, valueMax, showPercentage, valueDescription, variant, ...rest }: Props) {
  const max = Number(maxValue ?? valueMax ?? 100) || 100;
  const percent = Math.max(0, Math.min(100, (Number(value) / max) * 100));
  return (
    <div className="hs-progress">
      {title || showPercentage || valueDescription ? (
        <div className="hs-progress__head">
          <span>{title}</span>
          <span>{valueDescription ?? (showPercentage ? `${Math.round(percent)}%` : null)}</span>
        </div>
      ) : null}
      <div
        className={cx('hs-progress__track', variant && `hs-progress--${variant}`)}
        role="progressbar"
        aria-label={rest['aria-label'] ?? title}
        aria-valuemin={0}
        aria-valuemax={max}
        aria-valuenow={Number(value)}
      >
        <div className="hs-progress__bar" style={{ width: `${percent}%` }} />
      </div>
    </div>
  );
}

const ICON_GLYPH: Record<string, string> = {
  add: '+',
  success: '✓',
  checkCircle: '✓',
  delete: '🗑',
  edit: '✎',
  email: '✉',
  info: 'ℹ',
  warning: '⚠',
  exclamation: '!',
  exclamationCircle: '!',
  left: '‹',
  right: '›',
  upCarat: '˄',
  downCarat: '˅',
  search: '⌕',
  refresh: '↻',
  remove: '×',
  date: '📅',
  time: '🕒',
  link: '🔗',
  lock: '🔒',
};
function Icon({ name, screenReaderText, size }: Props) {
  return (
    <span
      className={cx('hs-icon', `hs-icon--${shortSize(size) ?? 'md'}`)}
      title={name}
      role={screenReaderText ? 'img' : undefined}
      aria-label={screenReaderText || undefined}
      aria-hidden={screenReaderText ? undefined : true}
    >
      {ICON_GLYPH[String(name)] ?? '•'}
    </span>
  );
}

/** HubSpot shows the tooltip on hover; the workbench draws only what it wraps. */
function Tooltip({ children }: Props) {
  return <>{children}</>;
}

// ---------------------------------------------------------------------------------------------------------------
// Layout
// ---------------------------------------------------------------------------------------------------------------

function Flex({ children, direction, gap, justify, align, alignSelf, wrap }: Props) {
  const style: CSSProperties = {
    flexDirection: direction === 'column' ? 'column' : 'row',
    gap: px(gap, 0),
    justifyContent: FLEX_JUSTIFY[justify] ?? 'flex-start',
    alignItems: FLEX_ALIGN[align] ?? 'stretch',
    flexWrap: wrap === true || wrap === 'wrap' ? 'wrap' : 'nowrap',
  };
  if (alignSelf) style.alignSelf = FLEX_ALIGN[alignSelf];
  return (
    <div className="hs-flex" style={style}>
      {children}
    </div>
  );
}

function Box({ children, alignSelf, flex }: Props) {
  const style: CSSProperties = {};
  if (alignSelf) style.alignSelf = FLEX_ALIGN[alignSelf];
  if (typeof flex === 'number') style.flex = flex;
  else if (flex === 'initial') style.flex = '0 1 auto';
  else if (flex === 'auto') style.flex = '1 1 auto';
  else if (flex === 'none') style.flex = 'none';
  return (
    <div className="hs-box" style={style}>
      {children}
    </div>
  );
}

function Inline({ children, justify, align, gap }: Props) {
  return (
    <div
      className="hs-inline"
      style={{ gap: px(gap, 0), justifyContent: FLEX_JUSTIFY[justify] ?? 'flex-start', alignItems: FLEX_ALIGN[align] ?? 'stretch' }}
    >
      {children}
    </div>
  );
}

function Stack({ children, distance, direction, justify, align, width }: Props) {
  return (
    <div
      className="hs-flex"
      style={{
        flexDirection: direction === 'row' ? 'row' : 'column',
        gap: px(distance, 8),
        justifyContent: FLEX_JUSTIFY[justify] ?? 'flex-start',
        alignItems: FLEX_ALIGN[align] ?? 'stretch',
        width: width === '100%' ? '100%' : undefined,
      }}
    >
      {children}
    </div>
  );
}

function AutoGrid({ children, columnWidth, gap, flexible }: Props) {
  const width = Number(columnWidth) > 0 ? Number(columnWidth) : 200;
  return (
    <div
      className="hs-auto-grid"
      style={{ gap: px(gap, 0), gridTemplateColumns: flexible ? `repeat(auto-fill, minmax(${width}px, 1fr))` : `repeat(auto-fill, ${width}px)` }}
    >
      {children}
    </div>
  );
}

function Center({ children }: Props) {
  return <div className="hs-center">{children}</div>;
}

function MediaObject({ children, itemLeft, itemRight, alignY }: Props) {
  return (
    <div className="hs-media" style={{ alignItems: FLEX_ALIGN[alignY] ?? 'flex-start' }}>
      {itemLeft ? <div className="hs-media__side">{itemLeft}</div> : null}
      <div className="hs-media__body">{children}</div>
      {itemRight ? <div className="hs-media__side">{itemRight}</div> : null}
    </div>
  );
}

function Divider({ distance, size }: Props) {
  const margin = px(distance ?? size, 8);
  return <hr className="hs-divider" style={{ marginTop: margin, marginBottom: margin }} />;
}

function Spacer({ size }: Props) {
  return <div className="hs-spacer" aria-hidden="true" style={{ height: px(size, 16) }} />;
}

function Tile({ children, compact, flush }: Props) {
  return <div className={cx('hs-tile', compact && 'hs-tile--compact', flush && 'hs-tile--flush')}>{children}</div>;
}

function Card({ children }: Props) {
  return <div className="hs-tile">{children}</div>;
}

function Accordion({ title, children, defaultOpen, disabled, open, size, onClick }: Props) {
  const [expanded, setExpanded] = useState<boolean>(Boolean(open ?? defaultOpen));
  useEffect(() => {
    if (typeof open === 'boolean') setExpanded(open);
  }, [open]);
  const regionId = useId();
  return (
    <div className={cx('hs-accordion', `hs-accordion--${shortSize(size) ?? 'sm'}`)}>
      <button
        type="button"
        className="hs-accordion__toggle"
        aria-expanded={expanded}
        aria-controls={regionId}
        disabled={Boolean(disabled)}
        onClick={() => {
          setExpanded((was) => !was);
          call(onClick);
        }}
      >
        <span className="hs-accordion__caret" aria-hidden="true">
          {expanded ? '▾' : '▸'}
        </span>
        {title}
      </button>
      <div className="hs-accordion__content" id={regionId} role="region" hidden={!expanded}>
        {children}
      </div>
    </div>
  );
}

function List({ children, variant }: Props) {
  const kind = variant ?? 'unordered';
  const items = Children.map(children, (child) => (child === null || child === undefined || child === false ? null : <li className="hs-list__item">{child}</li>));
  const className = cx('hs-list', `hs-list--${kind}`);
  return kind.startsWith('ordered') ? <ol className={className}>{items}</ol> : <ul className={className}>{items}</ul>;
}

function DescriptionList({ children, direction }: Props) {
  return <dl className={cx('hs-dl', direction === 'column' ? 'hs-dl--column' : 'hs-dl--row')}>{children}</dl>;
}

function DescriptionListItem({ label, children }: Props) {
  return (
    <div className="hs-dl__item">
      <dt className="hs-dl__label">{label}</dt>
      <dd className="hs-dl__value">{children}</dd>
    </div>
  );
}

function ModalBody({ children }: Props) {
  return <div className="hs-modal__body">{children}</div>;
}
function ModalFooter({ children }: Props) {
  return <div className="hs-modal__footer">{children}</div>;
}
function PanelBody({ children }: Props) {
  return <div className="hs-panel__body">{children}</div>;
}
function PanelFooter({ children }: Props) {
  return <div className="hs-panel__footer">{children}</div>;
}
function PanelSection({ children, flush }: Props) {
  return <section className={cx('hs-panel__section', flush && 'hs-panel__section--flush')}>{children}</section>;
}

// Statistics
function Statistics({ children }: Props) {
  return <div className="hs-statistics">{children}</div>;
}
function StatisticsItem({ label, number, children }: Props) {
  return (
    <div className="hs-statistics__item">
      <div className="hs-statistics__label">{label}</div>
      <div className="hs-statistics__number">{number}</div>
      {children}
    </div>
  );
}
function StatisticsTrend({ value, direction, color }: Props) {
  const up = direction === 'increase';
  const tone = color ?? (up ? 'green' : 'red');
  return (
    <span className={cx('hs-statistics__trend', `hs-statistics__trend--${tone}`)}>
      {up ? '▲' : '▼'} {value}
    </span>
  );
}

function StepIndicator({ stepNames, currentStep, direction, onClick }: Props) {
  const names: string[] = Array.isArray(stepNames) ? stepNames : [];
  return (
    <ol className={cx('hs-steps', direction === 'vertical' && 'hs-steps--vertical')}>
      {names.map((name, index) => {
        const state = index < (currentStep ?? 0) ? 'done' : index === (currentStep ?? 0) ? 'current' : 'todo';
        return (
          <li key={`${index}-${name}`} className={cx('hs-steps__step', `hs-steps__step--${state}`)} aria-current={state === 'current' ? 'step' : undefined}>
            {typeof onClick === 'function' ? (
              <button type="button" className="hs-link hs-link--button" onClick={() => call(onClick, index)}>
                {name}
              </button>
            ) : (
              name
            )}
          </li>
        );
      })}
    </ol>
  );
}

// Tabs: each Tab registers its title with the Tabs around it, which draws the tab list and shows the selected one.
interface TabEntry {
  key: string | number;
  title: string;
  disabled: boolean;
}
const TabsContext = createContext<{ selected: string | number | undefined; register(entry: TabEntry): () => void } | null>(null);

function Tabs({ children, selected, defaultSelected, onSelectedChange, variant, fill }: Props) {
  const [entries, setEntries] = useState<TabEntry[]>([]);
  const [chosen, setChosen] = useState<string | number | undefined>(selected ?? defaultSelected);
  useEffect(() => {
    if (selected !== undefined) setChosen(selected);
  }, [selected]);
  const register = useCallback((entry: TabEntry) => {
    setEntries((list) => [...list.filter((e) => e.key !== entry.key), entry]);
    return () => setEntries((list) => list.filter((e) => e.key !== entry.key));
  }, []);
  const current = chosen ?? entries.find((e) => !e.disabled)?.key;
  return (
    <div className={cx('hs-tabs', variant === 'enclosed' && 'hs-tabs--enclosed')}>
      <div className={cx('hs-tabs__list', fill && 'hs-tabs__list--fill')} role="tablist">
        {entries.map((entry) => (
          <button
            key={String(entry.key)}
            type="button"
            role="tab"
            className="hs-tabs__tab"
            aria-selected={entry.key === current}
            disabled={entry.disabled}
            onClick={() => {
              setChosen(entry.key);
              call(onSelectedChange, entry.key);
            }}
          >
            {entry.title}
          </button>
        ))}
      </div>
      <TabsContext.Provider value={{ selected: current, register }}>{children}</TabsContext.Provider>
    </div>
  );
}

function Tab({ tabId, title, disabled, children }: Props) {
  const tabs = useContext(TabsContext);
  const fallbackKey = useId();
  const key: string | number = tabId ?? fallbackKey;
  const register = tabs?.register;
  useEffect(() => register?.({ key, title: String(title ?? key), disabled: Boolean(disabled) }), [register, key, title, disabled]);
  if (tabs && tabs.selected !== key) return null;
  return (
    <div className="hs-tabs__panel" role="tabpanel" aria-label={title}>
      {children}
    </div>
  );
}

// ---------------------------------------------------------------------------------------------------------------
// Tables
// ---------------------------------------------------------------------------------------------------------------

function pageButtons(page: number, count: number, visible: number): number[] {
  const span = Math.max(1, Math.min(visible, count));
  let start = Math.max(1, page - Math.floor(span / 2));
  const end = Math.min(count, start + span - 1);
  start = Math.max(1, end - span + 1);
  const pages: number[] = [];
  for (let p = start; p <= end; p += 1) pages.push(p);
  return pages;
}

function Table(props: Props) {
  const { children, bordered, flush, density, paginated, pageCount, showButtonLabels, showFirstLastButtons, maxVisiblePageButtons, page, onPageChange } = props;
  const [localPage, setLocalPage] = useState<number>(typeof page === 'number' ? page : 1);
  useEffect(() => {
    if (typeof page === 'number') setLocalPage(page);
  }, [page]);
  const count = Math.max(1, Number(pageCount) || 1);
  const go = (next: number) => {
    const target = Math.max(1, Math.min(count, next));
    setLocalPage(target);
    call(onPageChange, target);
  };
  const labels = showButtonLabels !== false;
  return (
    <div className={cx('hs-table-wrap', flush && 'hs-table-wrap--flush')}>
      <table className={cx('hs-table', bordered !== false && 'hs-table--bordered', density && `hs-table--${density}`)}>{children}</table>
      {paginated ? (
        <nav className="hs-pagination" aria-label="Table pages">
          {showFirstLastButtons ? (
            <button type="button" className="hs-pagination__button" disabled={localPage <= 1} onClick={() => go(1)} aria-label="First page">
              «{labels ? ' First' : ''}
            </button>
          ) : null}
          <button type="button" className="hs-pagination__button" disabled={localPage <= 1} onClick={() => go(localPage - 1)} aria-label="Previous page">
            ‹{labels ? ' Prev' : ''}
          </button>
          {pageButtons(localPage, count, Number(maxVisiblePageButtons) || 5).map((p) => (
            <button
              key={p}
              type="button"
              className={cx('hs-pagination__button', p === localPage && 'hs-pagination__button--current')}
              aria-current={p === localPage ? 'page' : undefined}
              aria-label={`Page ${p}`}
              onClick={() => go(p)}
            >
              {p}
            </button>
          ))}
          <button type="button" className="hs-pagination__button" disabled={localPage >= count} onClick={() => go(localPage + 1)} aria-label="Next page">
            {labels ? 'Next ' : ''}›
          </button>
          {showFirstLastButtons ? (
            <button type="button" className="hs-pagination__button" disabled={localPage >= count} onClick={() => go(count)} aria-label="Last page">
              {labels ? 'Last ' : ''}»
            </button>
          ) : null}
        </nav>
      ) : null}
    </div>
  );
}

function cellStyle(align: unknown, width: unknown): CSSProperties {
  const style: CSSProperties = {};
  if (align === 'left' || align === 'center' || align === 'right') style.textAlign = align;
  if (typeof width === 'number') style.width = width;
  else if (width === 'min') style.width = '1%';
  else if (width === 'max') style.width = '100%';
  return style;
}

function TableHead({ children }: Props) {
  return <thead className="hs-table__head">{children}</thead>;
}
function TableBody({ children }: Props) {
  return <tbody className="hs-table__body">{children}</tbody>;
}
function TableFooter({ children }: Props) {
  return <tfoot className="hs-table__foot">{children}</tfoot>;
}
function TableRow({ children }: Props) {
  return <tr className="hs-table__row">{children}</tr>;
}
function TableCell({ children, align, width, colSpan }: Props) {
  return (
    <td className="hs-table__cell" style={cellStyle(align, width)} colSpan={colSpan}>
      {children}
    </td>
  );
}
const NEXT_SORT: Record<string, 'ascending' | 'descending' | 'none'> = { none: 'ascending', ascending: 'descending', descending: 'none' };
function TableHeader({ children, align, width, sortDirection, onSortChange, disabled }: Props) {
  const sortable = sortDirection && sortDirection !== 'never';
  return (
    <th
      className="hs-table__header"
      style={cellStyle(align, width)}
      scope="col"
      aria-sort={sortDirection === 'ascending' || sortDirection === 'descending' ? sortDirection : sortable ? 'none' : undefined}
    >
      {sortable ? (
        <button type="button" className="hs-table__sort" disabled={Boolean(disabled)} onClick={() => call(onSortChange, NEXT_SORT[sortDirection] ?? 'ascending')}>
          {children}
          <span aria-hidden="true">{sortDirection === 'ascending' ? ' ▲' : sortDirection === 'descending' ? ' ▼' : ' ↕'}</span>
        </button>
      ) : (
        children
      )}
    </th>
  );
}

// ---------------------------------------------------------------------------------------------------------------
// Form controls
// ---------------------------------------------------------------------------------------------------------------

/** Label, description, tooltip and validation message around one control, tied to it by id. */
function Field(props: {
  id: string;
  label?: ReactNode;
  required?: boolean;
  description?: string;
  tooltip?: string;
  error?: boolean;
  validationMessage?: string;
  hideLabel?: boolean;
  children: ReactNode;
  className?: string;
}) {
  const { id, label, required, description, tooltip, error, validationMessage, hideLabel, children, className } = props;
  return (
    <div className={cx('hs-field', error && 'hs-field--error', className)}>
      {label !== undefined && label !== '' ? (
        <label className={cx('hs-field__label', hideLabel && 'hs-visually-hidden')} htmlFor={id}>
          {label}
          {required ? (
            <span className="hs-field__required" aria-hidden="true">
              {' '}
              *
            </span>
          ) : null}
          {tooltip ? (
            <span className="hs-field__tooltip" title={tooltip} aria-hidden="true">
              {' '}
              ⓘ
            </span>
          ) : null}
        </label>
      ) : null}
      {description ? (
        <div className="hs-field__description" id={`${id}-description`}>
          {description}
        </div>
      ) : null}
      {children}
      {validationMessage ? (
        <div className={cx('hs-field__message', error && 'hs-field__message--error')} id={`${id}-message`} role={error ? 'alert' : undefined}>
          {validationMessage}
        </div>
      ) : null}
    </div>
  );
}

function describedBy(id: string, props: Props): string | undefined {
  const ids = [props.description ? `${id}-description` : null, props.validationMessage ? `${id}-message` : null].filter(Boolean);
  return ids.length ? ids.join(' ') : undefined;
}

/**
 * Local text for a controlled input: seeded from `value`, replaced when the extension sends a new value, but an
 * echo of something typed earlier (arriving while the person has typed on) does not undo the later keystrokes.
 */
function useLocalText(value: unknown, defaultValue: unknown, toText: (v: unknown) => string) {
  const [text, setText] = useState(() => toText(value ?? defaultValue));
  const sent = useRef<string[]>([]);
  const first = useRef(true);
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    const next = toText(value);
    const at = sent.current.indexOf(next);
    if (at >= 0) {
      const latest = at === sent.current.length - 1;
      sent.current = sent.current.slice(at + 1);
      if (!latest) return;
    }
    setText(next);
    // toText is a pure formatter chosen per component.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [value]);
  const edit = useCallback((next: string) => {
    setText(next);
    sent.current.push(next);
    if (sent.current.length > 50) sent.current.shift();
  }, []);
  return [text, edit] as const;
}

const asText = (v: unknown) => (v === undefined || v === null ? '' : String(v));

/** Commit tracking: `onChange` fires on blur (or Enter) only when the text differs from what was last committed. */
function useCommit(text: string) {
  const committed = useRef(text);
  return {
    onFocus: () => {
      committed.current = text;
    },
    shouldCommit: () => committed.current !== text,
    markCommitted: (shown: string = text) => {
      committed.current = shown;
    },
  };
}

function TextInput(props: Props & { multiline?: boolean }) {
  const { label, name, value, defaultValue, required, readOnly, description, tooltip, placeholder, error, validationMessage, onChange, onInput, onBlur, onFocus, multiline } = props;
  const id = useId();
  const [text, edit] = useLocalText(value, defaultValue, asText);
  const commit = useCommit(text);
  const doCommit = () => {
    if (commit.shouldCommit()) {
      commit.markCommitted();
      call(onChange, text);
    }
  };
  const common = {
    id,
    name,
    value: text,
    placeholder,
    readOnly: Boolean(readOnly),
    'aria-required': required ? true : undefined,
    'aria-invalid': error ? true : undefined,
    'aria-describedby': describedBy(id, props),
    className: cx('hs-input', error && 'hs-input--error', multiline && 'hs-textarea'),
    onChange: (event: React.ChangeEvent<HTMLInputElement | HTMLTextAreaElement>) => {
      edit(event.target.value);
      call(onInput, event.target.value);
    },
    onFocus: () => {
      commit.onFocus();
      call(onFocus, text);
    },
    onBlur: () => {
      doCommit();
      call(onBlur, text);
    },
  };
  return (
    <Field id={id} label={label} required={required} description={description} tooltip={tooltip} error={error} validationMessage={validationMessage}>
      {multiline ? (
        <textarea
          {...common}
          rows={props.rows}
          cols={props.cols}
          maxLength={props.maxLength}
          style={props.resize ? { resize: props.resize } : undefined}
        />
      ) : (
        <input
          {...common}
          type={props.type === 'password' ? 'password' : props.type === 'search' ? 'search' : 'text'}
          onKeyDown={(event) => {
            if (event.key === 'Enter') doCommit();
          }}
        />
      )}
    </Field>
  );
}

function Input(props: Props) {
  return <TextInput {...props} multiline={false} />;
}
function TextArea(props: Props) {
  return <TextInput {...props} multiline />;
}
function SearchInput(props: Props) {
  return <TextInput {...props} type="search" multiline={false} />;
}

/** A number as typed: '' is no number; otherwise the value rounded to `precision` digits when one is given. */
function parseNumber(text: string, precision: unknown): number | undefined {
  const trimmed = text.trim().replace(/%$/, '');
  if (trimmed === '') return undefined;
  const n = Number(trimmed);
  if (!Number.isFinite(n)) return undefined;
  return typeof precision === 'number' && precision >= 0 ? Number(n.toFixed(precision)) : n;
}

function NumberInput(props: Props) {
  const { label, name, value, defaultValue, required, readOnly, description, tooltip, placeholder, error, validationMessage, onChange, onInput, onBlur, onFocus, min, max, precision, formatStyle, textAlign } = props;
  const id = useId();
  const hasPrecision = typeof precision === 'number' && precision >= 0 && precision <= 20;
  // Shown with `precision` digits, as HubSpot's number input shows them.
  const numberText = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) && hasPrecision ? v.toFixed(precision) : asText(v));
  const [text, edit] = useLocalText(value, defaultValue, numberText);
  const commit = useCommit(text);
  const doCommit = () => {
    if (!commit.shouldCommit()) return;
    const n = parseNumber(text, precision);
    const shown = n === undefined ? text : numberText(n);
    if (shown !== text) edit(shown);
    commit.markCommitted(shown);
    call(onChange, n);
  };
  const step = typeof precision === 'number' && precision >= 0 ? (precision === 0 ? '1' : (10 ** -precision).toFixed(precision)) : 'any';
  return (
    <Field id={id} label={label} required={required} description={description} tooltip={tooltip} error={error} validationMessage={validationMessage}>
      <div className="hs-number">
        <input
          id={id}
          name={name}
          type="number"
          inputMode="decimal"
          className={cx('hs-input', error && 'hs-input--error')}
          style={textAlign === 'right' ? { textAlign: 'right' } : undefined}
          value={text}
          placeholder={placeholder}
          readOnly={Boolean(readOnly)}
          min={min}
          max={max}
          step={step}
          aria-required={required ? true : undefined}
          aria-invalid={error ? true : undefined}
          aria-describedby={describedBy(id, props)}
          onChange={(event) => {
            edit(event.target.value);
            const n = parseNumber(event.target.value, precision);
            if (n !== undefined) call(onInput, n);
          }}
          onFocus={() => {
            commit.onFocus();
            call(onFocus, parseNumber(text, precision));
          }}
          onBlur={() => {
            doCommit();
            call(onBlur, parseNumber(text, precision));
          }}
          onKeyDown={(event) => {
            if (event.key === 'Enter') doCommit();
          }}
        />
        {formatStyle === 'percentage' ? (
          <span className="hs-number__suffix" aria-hidden="true">
            %
          </span>
        ) : null}
      </div>
    </Field>
  );
}

function CurrencyInput(props: Props) {
  return <NumberInput {...props} precision={props.precision ?? 2} />;
}

function StepperInput(props: Props) {
  return <NumberInput {...props} />;
}

const pad2 = (n: number) => String(n).padStart(2, '0');
/** HubSpot dates are {year, month (0-11), date}; <input type="date"> speaks YYYY-MM-DD. */
function dateText(v: unknown): string {
  if (!v || typeof v !== 'object') return '';
  const d = v as { year?: number; month?: number; date?: number };
  if (typeof d.year !== 'number' || typeof d.month !== 'number' || typeof d.date !== 'number') return '';
  return `${String(d.year).padStart(4, '0')}-${pad2(d.month + 1)}-${pad2(d.date)}`;
}
function parseDate(text: string) {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!match) return null;
  return { year: Number(match[1]), month: Number(match[2]) - 1, date: Number(match[3]), formattedDate: text };
}

function DateInput(props: Props) {
  const { label, name, value, defaultValue, required, readOnly, description, tooltip, error, validationMessage, onChange, onBlur, onFocus, min, max } = props;
  const id = useId();
  const [text, edit] = useLocalText(value, defaultValue, dateText);
  return (
    <Field id={id} label={label} required={required} description={description} tooltip={tooltip} error={error} validationMessage={validationMessage}>
      <input
        id={id}
        name={name}
        type="date"
        className={cx('hs-input', error && 'hs-input--error')}
        value={text}
        readOnly={Boolean(readOnly)}
        min={dateText(min) || undefined}
        max={dateText(max) || undefined}
        aria-required={required ? true : undefined}
        aria-invalid={error ? true : undefined}
        aria-describedby={describedBy(id, props)}
        onChange={(event) => {
          edit(event.target.value);
          call(onChange, parseDate(event.target.value));
        }}
        onFocus={() => call(onFocus, parseDate(text))}
        onBlur={() => call(onBlur, parseDate(text))}
      />
    </Field>
  );
}

function TimeInput(props: Props) {
  const { label, name, value, defaultValue, required, readOnly, description, tooltip, error, validationMessage, onChange, onBlur, interval } = props;
  const id = useId();
  const toText = (v: unknown) => {
    const t = v as { hours?: number; minutes?: number } | null | undefined;
    return t && typeof t.hours === 'number' && typeof t.minutes === 'number' ? `${pad2(t.hours)}:${pad2(t.minutes)}` : '';
  };
  const parse = (text: string) => {
    const match = /^(\d{2}):(\d{2})/.exec(text);
    return match ? { hours: Number(match[1]), minutes: Number(match[2]) } : null;
  };
  const [text, edit] = useLocalText(value, defaultValue, toText);
  return (
    <Field id={id} label={label} required={required} description={description} tooltip={tooltip} error={error} validationMessage={validationMessage}>
      <input
        id={id}
        name={name}
        type="time"
        className={cx('hs-input', error && 'hs-input--error')}
        value={text}
        step={typeof interval === 'number' ? interval * 60 : undefined}
        readOnly={Boolean(readOnly)}
        aria-required={required ? true : undefined}
        aria-invalid={error ? true : undefined}
        aria-describedby={describedBy(id, props)}
        onChange={(event) => {
          edit(event.target.value);
          call(onChange, parse(event.target.value));
        }}
        onBlur={() => call(onBlur, parse(text))}
      />
    </Field>
  );
}

type Option = { label: string; value: string | number | boolean };
const optionsOf = (options: unknown): Option[] => (Array.isArray(options) ? (options as Option[]) : []);

/**
 * A single select: option values keep their type (string, number or boolean) by going through their index.
 * A value matching no option shows the placeholder (or an empty line), as HubSpot's select does.
 */
function Select(props: Props) {
  const { label, name, value, required, readOnly, description, tooltip, placeholder, error, validationMessage, onChange, variant } = props;
  const id = useId();
  const options = optionsOf(props.options);
  const [selected, setSelected] = useState<unknown>(value);
  useEffect(() => setSelected(value), [value]);
  const index = options.findIndex((o) => o.value === selected);
  return (
    <Field id={id} label={label} required={required} description={description} tooltip={tooltip} error={error} validationMessage={validationMessage}>
      <select
        id={id}
        name={name}
        className={cx('hs-input', 'hs-select', variant === 'transparent' && 'hs-select--transparent', error && 'hs-input--error')}
        value={index >= 0 ? String(index) : ''}
        disabled={Boolean(readOnly)}
        aria-required={required ? true : undefined}
        aria-invalid={error ? true : undefined}
        aria-describedby={describedBy(id, props)}
        onChange={(event) => {
          const option = options[Number(event.target.value)];
          if (!option) return;
          setSelected(option.value);
          call(onChange, option.value);
        }}
      >
        {index < 0 ? (
          <option value="" disabled>
            {placeholder ?? ''}
          </option>
        ) : null}
        {options.map((option, i) => (
          <option key={`${i}-${String(option.value)}`} value={String(i)}>
            {option.label}
          </option>
        ))}
      </select>
    </Field>
  );
}

/** A multiple select (<select multiple>): `value` is the array of chosen option values, in option order. */
function MultiSelect(props: Props) {
  const { label, name, value, required, readOnly, description, tooltip, placeholder, error, validationMessage, onChange } = props;
  const id = useId();
  const options = optionsOf(props.options);
  const [chosen, setChosen] = useState<unknown[]>(Array.isArray(value) ? value : []);
  useEffect(() => setChosen(Array.isArray(value) ? value : []), [value]);
  const selectedIndexes = options.map((o, i) => (chosen.includes(o.value) ? String(i) : null)).filter((v): v is string => v !== null);
  return (
    <Field id={id} label={label} required={required} description={description} tooltip={tooltip} error={error} validationMessage={validationMessage}>
      <select
        id={id}
        name={name}
        multiple
        size={Math.min(Math.max(options.length, 2), 6)}
        className={cx('hs-input', 'hs-select', 'hs-select--multiple', error && 'hs-input--error')}
        value={selectedIndexes}
        disabled={Boolean(readOnly)}
        aria-required={required ? true : undefined}
        aria-invalid={error ? true : undefined}
        aria-describedby={describedBy(id, props)}
        onChange={(event) => {
          const next = Array.from(event.target.selectedOptions)
            .map((o) => options[Number(o.value)])
            .filter((o): o is Option => o !== undefined)
            .map((o) => o.value);
          setChosen(next);
          call(onChange, next);
        }}
      >
        {options.map((option, i) => (
          <option key={`${i}-${String(option.value)}`} value={String(i)}>
            {option.label}
          </option>
        ))}
      </select>
      {options.length === 0 && placeholder ? <div className="hs-field__description">{placeholder}</div> : null}
    </Field>
  );
}

/** A switch: a checkbox with role="switch" and its label. Read-only is drawn as disabled (checkboxes have no readonly). */
function Toggle(props: Props) {
  const { label, name, checked, initialIsChecked, onChange, labelDisplay, textChecked, textUnchecked, size } = props;
  const readOnly = Boolean(props.readOnly ?? props.readonly);
  const id = useId();
  const [on, setOn] = useState<boolean>(Boolean(checked ?? initialIsChecked));
  useEffect(() => {
    if (typeof checked === 'boolean') setOn(checked);
  }, [checked]);
  const display = labelDisplay ?? 'inline';
  return (
    <div className={cx('hs-toggle', display === 'top' && 'hs-toggle--top', `hs-toggle--${shortSize(size) ?? 'md'}`)}>
      <label className={cx('hs-toggle__label', display === 'hidden' && 'hs-visually-hidden')} htmlFor={id}>
        {label}
      </label>
      <span className="hs-toggle__control">
        <input
          id={id}
          name={name}
          type="checkbox"
          role="switch"
          className="hs-toggle__input"
          checked={on}
          disabled={readOnly}
          onChange={(event) => {
            setOn(event.target.checked);
            call(onChange, event.target.checked);
          }}
        />
        <span className="hs-toggle__track" aria-hidden="true">
          <span className="hs-toggle__thumb" />
        </span>
        <span className="hs-toggle__text" aria-hidden="true">
          {on ? (textChecked ?? 'ON') : (textUnchecked ?? 'OFF')}
        </span>
      </span>
    </div>
  );
}

function ChoiceInput(props: Props & { kind: 'checkbox' | 'radio' }) {
  const { kind, name, value, checked, initialIsChecked, onChange, children, description, inline } = props;
  const readOnly = Boolean(props.readOnly ?? props.readonly);
  const id = useId();
  const [on, setOn] = useState<boolean>(Boolean(checked ?? initialIsChecked));
  useEffect(() => {
    if (typeof checked === 'boolean') setOn(checked);
  }, [checked]);
  return (
    <div className={cx('hs-choice', inline && 'hs-choice--inline')}>
      <input
        id={id}
        type={kind}
        name={name}
        value={value}
        checked={on}
        disabled={readOnly}
        aria-label={props['aria-label']}
        aria-describedby={description ? `${id}-description` : undefined}
        onChange={(event) => {
          setOn(event.target.checked);
          call(onChange, event.target.checked, value ?? '');
        }}
      />
      <label htmlFor={id} className="hs-choice__label">
        {children}
        {description ? (
          <span className="hs-choice__description" id={`${id}-description`}>
            {description}
          </span>
        ) : null}
      </label>
    </div>
  );
}

function Checkbox(props: Props) {
  return <ChoiceInput {...props} kind="checkbox" />;
}
function RadioButton(props: Props) {
  return <ChoiceInput {...props} kind="radio" />;
}

/** A group of checkboxes (value: string[]) or radio buttons (value: string), in a fieldset named by its label. */
function ToggleGroup(props: Props) {
  const { toggleType, name, label, validationMessage, required, tooltip, error, options, inline, value, onChange } = props;
  const radio = toggleType === 'radioButtonList';
  const id = useId();
  const list: Array<{ label: string; value: string; initialIsChecked?: boolean; readonly?: boolean; readOnly?: boolean; description?: string }> = Array.isArray(options) ? options : [];
  const initial = (): string[] => {
    if (Array.isArray(value)) return value.map(String);
    if (typeof value === 'string') return [value];
    return list.filter((o) => o.initialIsChecked).map((o) => o.value);
  };
  const [chosen, setChosen] = useState<string[]>(initial);
  useEffect(() => {
    if (value !== undefined) setChosen(Array.isArray(value) ? value.map(String) : [String(value)]);
  }, [value]);
  return (
    <fieldset className={cx('hs-fieldset', error && 'hs-field--error')} aria-describedby={validationMessage ? `${id}-message` : undefined}>
      <legend className="hs-field__label">
        {label}
        {required ? <span className="hs-field__required"> *</span> : null}
        {tooltip ? (
          <span className="hs-field__tooltip" title={tooltip} aria-hidden="true">
            {' '}
            ⓘ
          </span>
        ) : null}
      </legend>
      <div className={cx('hs-toggle-group', inline && 'hs-toggle-group--inline')}>
        {list.map((option) => {
          const optionId = `${id}-${option.value}`;
          return (
            <div className="hs-choice" key={option.value}>
              <input
                id={optionId}
                type={radio ? 'radio' : 'checkbox'}
                name={name}
                value={option.value}
                checked={chosen.includes(option.value)}
                disabled={Boolean(option.readOnly ?? option.readonly)}
                onChange={(event) => {
                  let next: string[];
                  if (radio) next = [option.value];
                  else next = event.target.checked ? [...chosen.filter((v) => v !== option.value), option.value] : chosen.filter((v) => v !== option.value);
                  setChosen(next);
                  call(onChange, radio ? option.value : next);
                }}
              />
              <label htmlFor={optionId} className="hs-choice__label">
                {option.label}
                {option.description ? <span className="hs-choice__description">{option.description}</span> : null}
              </label>
            </div>
          );
        })}
      </div>
      {validationMessage ? (
        <div className={cx('hs-field__message', error && 'hs-field__message--error')} id={`${id}-message`}>
          {validationMessage}
        </div>
      ) : null}
    </fieldset>
  );
}

/** A form: never navigates; onSubmit gets HubSpot's event with `targetValue`, the named fields' values. */
function Form({ children, onSubmit, autoComplete }: Props) {
  return (
    <form
      className="hs-form"
      autoComplete={autoComplete}
      noValidate
      onSubmit={(event) => {
        event.preventDefault();
        const values: Record<string, string> = {};
        new FormData(event.currentTarget).forEach((v, k) => {
          if (typeof v === 'string') values[k] = v;
        });
        call(onSubmit, { ...extensionEvent(event), targetValue: values });
      }}
    >
      {children}
    </form>
  );
}

// ---------------------------------------------------------------------------------------------------------------
// Placeholder and the exports
// ---------------------------------------------------------------------------------------------------------------

/** Drawn for a component the workbench has no implementation of, so nothing the extension shows goes missing unseen. */
export function Placeholder({ name, children }: { name: string; children?: ReactNode }) {
  return (
    <div className="hs-placeholder" data-component={name}>
      <div className="hs-placeholder__title">{`${name} is not drawn by the workbench`}</div>
      {children ? <div className="hs-placeholder__content">{children}</div> : null}
    </div>
  );
}

export const hostComponents: Record<string, ComponentType<any>> = {
  Accordion,
  Alert,
  AutoGrid,
  Box,
  Button,
  ButtonRow,
  Card,
  Center,
  Checkbox,
  CurrencyInput,
  DateInput,
  DescriptionList,
  DescriptionListItem,
  Divider,
  EmptyState,
  ErrorState,
  Flex,
  Form,
  Heading,
  Icon,
  Image,
  Inline,
  Input,
  Link,
  List,
  LoadingButton,
  LoadingSpinner,
  MediaObject,
  Modal,
  ModalBody,
  ModalFooter,
  MultiSelect,
  NumberInput,
  Panel,
  PanelBody,
  PanelFooter,
  PanelSection,
  ProgressBar,
  RadioButton,
  SearchInput,
  Select,
  Spacer,
  Stack,
  Statistics,
  StatisticsItem,
  StatisticsTrend,
  StatusTag,
  StepIndicator,
  StepperInput,
  Tab,
  Table,
  TableBody,
  TableCell,
  TableFooter,
  TableHead,
  TableHeader,
  TableRow,
  Tabs,
  Tag,
  Text,
  TextArea,
  Textarea: TextArea,
  TimeInput,
  Tile,
  Toggle,
  ToggleGroup,
  Tooltip,
};

export { hostStyles } from './components.css';
