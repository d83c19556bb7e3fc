// The Intruder Alert sidebar panel (registered by the integration for administrators only):
// Visitors, Review, People and Zones, on the integration's websocket commands.
import { LitElement, css, html, nothing } from "lit";
import { IntruderAlertApi, errorText, type HomeAssistant, type People, type Zone } from "./api";
import { localize } from "./strings";
import { shared } from "./styles";
import "./people";
import "./review";
import "./visitors";
import "./zones";

const TABS = ["visitors", "review", "people", "zones"] as const;
type Tab = (typeof TABS)[number];

interface Route {
  prefix: string;
  path: string;
}

export class IntruderAlertPanel extends LitElement {
  static properties = {
    hass: { attribute: false },
    narrow: { type: Boolean },
    route: { attribute: false },
    panel: { attribute: false },
    _zones: { state: true },
    _people: { state: true },
    _account: { state: true },
    _pending: { state: true },
    _error: { state: true },
  };

  declare hass: HomeAssistant;
  declare narrow: boolean;
  declare route: Route | undefined;
  declare panel: unknown;
  declare _zones: Zone[] | undefined;
  declare _people: People | undefined;
  declare _account: string | undefined;
  declare _pending: number;
  declare _error: string;

  private _started = false;

  constructor() {
    super();
    this.narrow = false;
    this._pending = 0;
    this._error = "";
  }

  private t = (key: Parameters<typeof localize>[1], values?: Record<string, string | number>) =>
    localize(this.hass, key, values);

  private get _tab(): Tab {
    const segment = (this.route?.path ?? "").split("/")[1] as Tab;
    return TABS.includes(segment) ? segment : "visitors";
  }

  private _go(tab: Tab): void {
    const prefix = this.route?.prefix ?? "/intruder-alert";
    history.pushState(null, "", `${prefix}/${tab}`);
    window.dispatchEvent(new CustomEvent("location-changed", { detail: { replace: false } }));
  }

  protected willUpdate(): void {
    if (this.hass && !this._started) {
      this._started = true;
      void this._refresh();
    }
  }

  /** Zones, people and the review count: what more than one view shows. */
  private async _refresh(): Promise<void> {
    const api = new IntruderAlertApi(this.hass);
    try {
      const [zones, review] = await Promise.all([api.zones(), api.review()]);
      this._zones = zones.zones;
      // One decision per remembered stranger, however often they came.
      this._pending = new Set(review.faces.map((face) => face.visitor_id ?? `${face.run_id}:${face.face_index}`)).size;
      this._people = await api.people(this._accounts().length > 1 ? this._account ?? this._accounts()[0].entry_id : undefined);
      this._account = this._people.entry_id;
      this._error = "";
    } catch (error) {
      this._error = errorText(error);
    }
  }

  private _accounts(): { entry_id: string; label: string }[] {
    const byAccount = new Map<string, string[]>();
    for (const zone of this._zones ?? []) {
      byAccount.set(zone.entry_id, [...(byAccount.get(zone.entry_id) ?? []), zone.name]);
    }
    return [...byAccount].map(([entry_id, names]) => ({ entry_id, label: names.join(", ") }));
  }

  private _view() {
    switch (this._tab) {
      case "review":
        return html`<intruder-alert-review .hass=${this.hass} .people=${this._people}></intruder-alert-review>`;
      case "people":
        return html`<intruder-alert-people
          .hass=${this.hass}
          .people=${this._people}
          .accounts=${this._accounts()}
          .account=${this._account}
          @account-changed=${(e: CustomEvent<string>) => {
            this._account = e.detail;
            void this._refresh();
          }}
        ></intruder-alert-people>`;
      case "zones":
        return html`<intruder-alert-zones .hass=${this.hass} .zones=${this._zones}></intruder-alert-zones>`;
      default:
        return html`<intruder-alert-visitors .hass=${this.hass} .zones=${this._zones ?? []} .people=${this._people}></intruder-alert-visitors>`;
    }
  }

  render() {
    return html`
      <div class="toolbar">
        <ha-menu-button .hass=${this.hass} .narrow=${this.narrow}></ha-menu-button>
        <div class="title">${this.t("title")}</div>
      </div>
      <nav role="tablist">
        ${TABS.map(
          (tab) => html`<a
            role="tab"
            href="${this.route?.prefix ?? "/intruder-alert"}/${tab}"
            aria-selected=${this._tab === tab ? "true" : "false"}
            @click=${(e: Event) => {
              e.preventDefault();
              this._go(tab);
            }}
            >${this.t(`tab.${tab}`)}${tab === "review" && this._pending ? html`<span class="badge">${this._pending}</span>` : nothing}</a
          >`,
        )}
      </nav>
      <main @library-changed=${() => this._refresh()}>
        ${this._error ? html`<div class="message error" role="alert">${this._error}</div>` : nothing}
        ${this._view()}
      </main>
    `;
  }

  static styles = [
    shared,
    css`
      :host {
        min-height: 100vh;
        background: var(--primary-background-color);
      }
      .toolbar {
        display: flex;
        align-items: center;
        height: var(--header-height, 56px);
        padding: 0 12px;
        background: var(--app-header-background-color, var(--primary-color));
        color: var(--app-header-text-color, var(--text-primary-color, #fff));
        gap: 8px;
      }
      .title {
        font-size: 20px;
        margin-left: 8px;
      }
      nav {
        display: flex;
        gap: 4px;
        padding: 0 16px;
        background: var(--app-header-background-color, var(--primary-color));
        overflow-x: auto;
      }
      nav a {
        color: var(--app-header-text-color, var(--text-primary-color, #fff));
        opacity: 0.8;
        text-decoration: none;
        padding: 12px 16px;
        border-bottom: 2px solid transparent;
        font-weight: 500;
        white-space: nowrap;
      }
      nav a[aria-selected="true"] {
        opacity: 1;
        border-bottom-color: currentColor;
      }
      .badge {
        display: inline-block;
        margin-left: 6px;
        min-width: 18px;
        padding: 0 5px;
        border-radius: 9px;
        background: var(--warning-color, #ffa600);
        color: #fff;
        font-size: 12px;
        line-height: 18px;
        text-align: center;
      }
      main {
        padding: 16px;
        max-width: 1200px;
        margin: 0 auto;
      }
    `,
  ];
}

customElements.define("intruder-alert-panel", IntruderAlertPanel);
