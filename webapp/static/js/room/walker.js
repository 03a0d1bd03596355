// Moving yourself: arrow keys or WASD on the focused map, a click or tap to walk there, or a place's
// 「ここへ行く」. Walking is animated unless the person asked for reduced motion (then one jump). Moves
// go out at most 10 a second, only the latest position of each tick (the relay coalesces too).
const STEP = 24;
const WALK_STEP = 18;
const WALK_TICK_MS = 40;
const SEND_TICK_MS = 100;
const KEYS = {
  ArrowUp: [0, -1], ArrowDown: [0, 1], ArrowLeft: [-1, 0], ArrowRight: [1, 0],
  w: [0, -1], s: [0, 1], a: [-1, 0], d: [1, 0],
};
const reducedMotion = window.matchMedia("(prefers-reduced-motion: reduce)");

export class Walker {
  /**
   * @param {object} options
   * @param {import("./state.js").RoomState} options.state
   * @param {(x: number, y: number) => void} options.send   a move for the relay (or nothing, in practice)
   * @param {(before: object|null) => void} options.moved  after every step (given the zone left): redraw, announce
   * @param {(zone: object) => void} options.blocked      a booth someone else is in
   */
  constructor({ state, send, moved, blocked }) {
    Object.assign(this, { state, send, moved, blocked });
    this.walking = null;
    this.pending = null;
    this.sendTimer = null;
  }

  /** Arrow keys and WASD while the map has focus; anything else is left to the page. */
  listen(container, view) {
    container.addEventListener("keydown", (event) => {
      if (event.altKey || event.ctrlKey || event.metaKey) return;
      const direction = KEYS[event.key] || KEYS[event.key.toLowerCase()];
      if (!direction) return;
      event.preventDefault();
      this.stop();
      const me = this.state.self;
      if (me) this.stepTo(me.x + direction[0] * STEP, me.y + direction[1] * STEP);
    });
    view.svg.addEventListener("click", (event) => this.walkTo(view.pointAt(event)));
  }

  /** One step; false when it would lead into a booth someone else is in (the step is not taken). */
  stepTo(x, y) {
    const me = this.state.self;
    if (!me) return false;
    const { width, height } = this.state.map;
    const target = { x: Math.round(Math.min(Math.max(x, 0), width)), y: Math.round(Math.min(Math.max(y, 0), height)) };
    const zone = this.state.zoneAt(target.x, target.y);
    const sameZone = me.zone && zone && me.zone.id === zone.id;
    if (!sameZone && this.state.boothTakenBy(zone, me.oid)) {
      this.stop();
      this.blocked(zone);
      return false;
    }
    const before = me.zone;
    this.state.put({ oid: me.oid, ...target });
    this.queueSend(target);
    this.moved(before);
    return true;
  }

  /** Walk to a point: step by step, or in one jump with reduced motion. */
  walkTo(point) {
    this.stop();
    if (reducedMotion.matches) {
      this.stepTo(point.x, point.y);
      return;
    }
    this.walking = window.setInterval(() => {
      const me = this.state.self;
      if (!me) return this.stop();
      const dx = point.x - me.x;
      const dy = point.y - me.y;
      const distance = Math.hypot(dx, dy);
      if (distance <= WALK_STEP) {
        this.stop();
        this.stepTo(point.x, point.y);
        return undefined;
      }
      if (!this.stepTo(me.x + (dx / distance) * WALK_STEP, me.y + (dy / distance) * WALK_STEP)) this.stop();
      return undefined;
    }, WALK_TICK_MS);
  }

  /** Walk to the middle of a zone (or a point near someone). */
  walkToZone(zone) {
    this.walkTo({ x: zone.x + Math.round(zone.w / 2), y: zone.y + Math.round(zone.h / 2) });
  }

  stop() {
    window.clearInterval(this.walking);
    this.walking = null;
  }

  /** Only the newest position of each tick goes out. */
  queueSend(target) {
    this.pending = target;
    if (this.sendTimer) return;
    this.flush();
  }

  /** Send what is pending, then hold further moves until the next tick. */
  tick() {
    this.sendTimer = null;
    if (this.pending) this.flush();
  }

  flush() {
    const { x, y } = this.pending;
    this.pending = null;
    this.send(x, y);
    this.sendTimer = window.setTimeout(() => this.tick(), SEND_TICK_MS);
  }
}
