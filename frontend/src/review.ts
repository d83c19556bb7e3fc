// Review: unknown faces waiting for a decision (the seeds' tag loop): name them or ignore them.
import { LitElement, css, html, nothing } from "lit";
import { IntruderAlertApi, errorText, type HomeAssistant, type People, type ReviewFace } from "./api";
import { formatTime, localize } from "./strings";
import { shared } from "./styles";
import "./face-actions";

export class ReviewView extends LitElement {
  static properties = {
    hass: { attribute: false },
    people: { attribute: false },
    _faces: { state: true },
    _error: { state: true },
    _saved: { state: true },
  };

  declare hass: HomeAssistant;
  declare people: People | undefined;
  declare _faces: ReviewFace[] | undefined;
  declare _error: string;
  declare _saved: string;

  constructor() {
    super();
    this._error = "";
    this._saved = "";
  }

  private t = (key: Parameters<typeof localize>[1], values?: Record<string, string | number>) =>
    localize(this.hass, key, values);

  connectedCallback(): void {
    super.connectedCallback();
    void this.reload();
  }

  async reload(): Promise<void> {
    try {
      this._faces = (await new IntruderAlertApi(this.hass).review()).faces;
      this._error = "";
    } catch (error) {
      this._error = errorText(error);
    }
  }

  /** The face a notification's "Add as…" points at (?run_id=…&face_index=…), brought into view. */
  private get _wanted(): string {
    const query = new URLSearchParams(window.location.search);
    return query.has("run_id") ? `${query.get("run_id")}:${query.get("face_index") ?? "0"}` : "";
  }

  protected updated(): void {
    const card = this.renderRoot.querySelector<HTMLElement>(".pending.wanted");
    if (card && !card.dataset.shown) {
      card.dataset.shown = "1";
      card.scrollIntoView({ block: "center" });
    }
  }

  private async _decided(event: CustomEvent<{ tier?: string; name?: string }>): Promise<void> {
    const { tier, name } = event.detail;
    this._saved = name && tier ? this.t("face.saved", { name, tier: this.t(`tier.${tier}` as "tier.whitelist") }) : "";
    await this.reload();
    this.dispatchEvent(new CustomEvent("library-changed", { bubbles: true, composed: true }));
  }

  /** One card per remembered stranger (their sightings together), or per face otherwise. */
  private _groups(faces: ReviewFace[]): ReviewFace[][] {
    const groups = new Map<string, ReviewFace[]>();
    for (const face of faces) {
      const key = face.visitor_id ? `visitor:${face.visitor_id}` : `face:${face.run_id}:${face.face_index}`;
      groups.set(key, [...(groups.get(key) ?? []), face]);
    }
    return [...groups.values()];
  }

  private _card(group: ReviewFace[]) {
    const [face, ...others] = group; // newest first
    const seen = face.times_seen ?? group.length;
    return html`<div
      class="card pending ${group.some((one) => this._wanted === `${one.run_id}:${one.face_index}`) ? "wanted" : ""}"
      data-run-id=${face.run_id}
      data-face-index=${face.face_index}
      data-visitor-id=${face.visitor_id ?? ""}
    >
      <div class="row top">
        ${face.image_url ? html`<img class="face big" src=${face.image_url} alt="" loading="lazy" />` : nothing}
        <div>
          <div class="zone">${face.zone}</div>
          <div class="muted">${formatTime(this.hass, face.time)}</div>
          ${face.visitor_id && seen > 1 ? html`<div class="seen">${this.t("review.seen", { count: seen })}</div>` : nothing}
          <div class="muted">
            ${face.closest
              ? this.t("face.closest", { name: face.closest.name, tier: this.t(`tier.${face.closest.tier}`), similarity: face.closest.similarity.toFixed(1) })
              : this.t("face.no_closest")}
          </div>
        </div>
      </div>
      ${others.length
        ? html`<div class="row others">
            ${others.slice(0, 5).map((other) => (other.image_url ? html`<img class="face small" src=${other.image_url} alt="" loading="lazy" title=${formatTime(this.hass, other.time)} />` : nothing))}
          </div>`
        : nothing}
      <intruder-alert-face-actions
        .hass=${this.hass}
        .people=${this.people}
        .runId=${face.run_id}
        .faceIndex=${face.face_index}
        .entryId=${face.entry_id}
        .visitorId=${face.visitor_id}
        .alsoIgnore=${others.map((other) => ({ runId: other.run_id, faceIndex: other.face_index }))}
        @face-decided=${this._decided}
      ></intruder-alert-face-actions>
    </div>`;
  }

  render() {
    return html`
      <p class="muted">${this.t("review.intro")}</p>
      ${this._error ? html`<div class="message error" role="alert">${this._error}</div>` : nothing}
      ${this._saved ? html`<div class="message info" role="status">${this._saved}</div>` : nothing}
      ${this._faces === undefined
        ? html`<p class="muted">${this.t("loading")}</p>`
        : this._faces.length === 0
          ? html`<p class="muted">${this.t("review.empty")}</p>`
          : html`<div class="grid">${this._groups(this._faces).map((group) => this._card(group))}</div>`}
    `;
  }

  static styles = [
    shared,
    css`
      .pending.wanted {
        border-color: var(--primary-color);
        box-shadow: 0 0 0 2px var(--primary-color);
      }
      .pending {
        display: flex;
        flex-direction: column;
        gap: 12px;
      }
      .top {
        flex-wrap: nowrap;
        align-items: flex-start;
      }
      img.small {
        width: 40px;
        height: 40px;
      }
      .seen {
        color: var(--warning-color, #ffa600);
        font-weight: 500;
        font-size: 14px;
      }
      img.big {
        width: 112px;
        height: 112px;
      }
      .zone {
        font-weight: 500;
      }
    `,
  ];
}

customElements.define("intruder-alert-review", ReviewView);
