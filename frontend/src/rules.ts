// When a whitelisted person is allowed: weekly time windows, a last day, and alarm states in
// which they are not (a cleaner on Tuesday mornings, a guest until Sunday).
import { LitElement, css, html, nothing } from "lit";
import { IntruderAlertApi, errorText, type HomeAssistant, type PersonRules, type Weekday } from "./api";
import { formatDate, localize, type StringKey } from "./strings";
import { shared } from "./styles";

const DAYS: Weekday[] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
const ARMED = ["armed_away", "armed_home", "armed_night", "armed_vacation"];

function known(hass: HomeAssistant, key: string, fallback: string): string {
  const text = localize(hass, key as StringKey);
  return text === undefined || text === key ? fallback : text;
}

/** Why a known face was outside their rules, in words ("outside allowed hours"). */
export function outsideText(hass: HomeAssistant, reason: string): string {
  return known(hass, `outside.${reason}`, reason.replace(/_/g, " "));
}

/** One line for a person's card: "Tue 09:00–12:00 · until 31 Aug 2026 · not while armed away". */
export function rulesSummary(hass: HomeAssistant, rules: PersonRules | null | undefined): string {
  if (!rules) return localize(hass, "rules.always");
  const parts = rules.windows.map(
    (window) => `${window.days.map((day) => localize(hass, `day.${day}`)).join(", ")} ${window.start.slice(0, 5)}–${window.end.slice(0, 5)}`,
  );
  if (rules.until) parts.push(localize(hass, "rules.summary.until", { date: formatDate(hass, `${rules.until}T12:00:00`) }));
  if (rules.not_while.length) {
    parts.push(localize(hass, "rules.summary.not_while", { states: rules.not_while.map((state) => known(hass, `state.${state}`, state)).join(", ") }));
  }
  return parts.join(" · ");
}

export class RulesEditor extends LitElement {
  static properties = {
    hass: { attribute: false },
    account: { attribute: false },
    name: { attribute: false },
    rules: { attribute: false },
    _draft: { state: true },
    _busy: { state: true },
    _error: { state: true },
  };

  declare hass: HomeAssistant;
  declare account: string | undefined;
  declare name: string;
  declare rules: PersonRules | null | undefined;
  declare _draft: PersonRules;
  declare _busy: boolean;
  declare _error: string;

  constructor() {
    super();
    this._draft = { windows: [], until: null, not_while: [] };
    this._busy = false;
    this._error = "";
  }

  private t = (key: StringKey, values?: Record<string, string | number>) => localize(this.hass, key, values);

  protected willUpdate(changed: Map<string, unknown>): void {
    if (changed.has("rules")) {
      const rules = this.rules;
      this._draft = rules
        ? { windows: rules.windows.map((w) => ({ ...w, days: [...w.days] })), until: rules.until, not_while: [...rules.not_while] }
        : { windows: [], until: null, not_while: [] };
    }
  }

  private _change(update: (draft: PersonRules) => void): void {
    const draft: PersonRules = { windows: this._draft.windows.map((w) => ({ ...w, days: [...w.days] })), until: this._draft.until, not_while: [...this._draft.not_while] };
    update(draft);
    this._draft = draft;
  }

  private async _save(rules: PersonRules): Promise<void> {
    this._busy = true;
    this._error = "";
    try {
      await new IntruderAlertApi(this.hass).setPersonRules(this.account, this.name, rules);
      this.dispatchEvent(new CustomEvent("rules-saved", { detail: { name: this.name }, bubbles: true, composed: true }));
    } catch (error) {
      this._error = errorText(error);
    } finally {
      this._busy = false;
    }
  }

  render() {
    const draft = this._draft;
    return html`
      <div class="editor" role="group" aria-label=${this.t("rules.title", { name: this.name })}>
        <div class="muted">${this.t("rules.intro", { name: this.name })}</div>
        ${this._error ? html`<div class="message error" role="alert">${this._error}</div>` : nothing}
        ${draft.windows.map(
          (window, index) => html`
            <fieldset class="window" aria-label="${this.t("rules.window")} ${index + 1}">
              <div class="row days">
                ${DAYS.map(
                  (day) => html`<label class="day"
                    ><input
                      type="checkbox"
                      .checked=${window.days.includes(day)}
                      @change=${(e: Event) =>
                        this._change((d) => {
                          const days = new Set(d.windows[index].days);
                          if ((e.target as HTMLInputElement).checked) days.add(day);
                          else days.delete(day);
                          d.windows[index].days = DAYS.filter((one) => days.has(one));
                        })}
                    />${this.t(`day.${day}`)}</label
                  >`,
                )}
              </div>
              <div class="row">
                <label>${this.t("rules.from")}<input type="time" aria-label=${this.t("rules.from")} .value=${window.start.slice(0, 5)} @change=${(e: Event) => this._change((d) => (d.windows[index].start = (e.target as HTMLInputElement).value))} /></label>
                <label>${this.t("rules.to")}<input type="time" aria-label=${this.t("rules.to")} .value=${window.end.slice(0, 5)} @change=${(e: Event) => this._change((d) => (d.windows[index].end = (e.target as HTMLInputElement).value))} /></label>
                <button @click=${() => this._change((d) => d.windows.splice(index, 1))}>${this.t("rules.remove_window")}</button>
              </div>
            </fieldset>
          `,
        )}
        <div class="row">
          <button @click=${() => this._change((d) => d.windows.push({ days: ["mon", "tue", "wed", "thu", "fri"], start: "09:00", end: "17:00" }))}>${this.t("rules.add_window")}</button>
        </div>
        <div class="row">
          <label>${this.t("rules.until")}<input type="date" aria-label=${this.t("rules.until")} .value=${draft.until ?? ""} @change=${(e: Event) => this._change((d) => (d.until = (e.target as HTMLInputElement).value || null))} /></label>
        </div>
        <div class="muted">${this.t("rules.not_while")}</div>
        <div class="row">
          ${ARMED.map(
            (state) => html`<label class="day"
              ><input
                type="checkbox"
                .checked=${draft.not_while.includes(state)}
                @change=${(e: Event) =>
                  this._change((d) => {
                    d.not_while = (e.target as HTMLInputElement).checked ? [...d.not_while, state] : d.not_while.filter((one) => one !== state);
                  })}
              />${known(this.hass, `state.${state}`, state)}</label
            >`,
          )}
        </div>
        <div class="row">
          <button class="primary" ?disabled=${this._busy} @click=${() => this._save(this._draft)}>${this.t("rules.save")}</button>
          <button ?disabled=${this._busy} @click=${() => this._save({ windows: [], until: null, not_while: [] })}>${this.t("rules.clear")}</button>
        </div>
      </div>
    `;
  }

  static styles = [
    shared,
    css`
      .editor {
        display: flex;
        flex-direction: column;
        gap: 10px;
        border-top: 1px solid var(--divider-color, #e0e0e0);
        padding-top: 10px;
      }
      fieldset {
        border: 1px solid var(--divider-color, #e0e0e0);
        border-radius: 8px;
        margin: 0;
        padding: 8px;
        display: flex;
        flex-direction: column;
        gap: 8px;
      }
      label.day {
        flex-direction: row;
        align-items: center;
        gap: 2px;
        font-size: 13px;
        color: var(--primary-text-color);
      }
      .days {
        gap: 6px;
      }
    `,
  ];
}

customElements.define("intruder-alert-rules", RulesEditor);
