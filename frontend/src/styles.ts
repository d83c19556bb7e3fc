// Shared look: Home Assistant's theme variables, so the panel follows the user's theme.
import { css } from "lit";

export const shared = css`
  :host {
    display: block;
    color: var(--primary-text-color);
    font-family: var(--ha-font-family-body, Roboto, sans-serif);
  }
  .card {
    background: var(--ha-card-background, var(--card-background-color, #fff));
    border-radius: var(--ha-card-border-radius, 12px);
    border: 1px solid var(--divider-color, #e0e0e0);
    box-shadow: var(--ha-card-box-shadow, none);
    padding: 16px;
  }
  .grid {
    display: grid;
    grid-template-columns: repeat(auto-fill, minmax(260px, 1fr));
    gap: 16px;
  }
  h2 {
    font-size: 20px;
    font-weight: 400;
    margin: 8px 0 12px;
  }
  .muted {
    color: var(--secondary-text-color);
    font-size: 14px;
  }
  button {
    font: inherit;
    font-size: 14px;
    font-weight: 500;
    border-radius: 18px;
    padding: 6px 14px;
    border: 1px solid var(--primary-color);
    background: transparent;
    color: var(--primary-color);
    cursor: pointer;
  }
  button.primary {
    background: var(--primary-color);
    color: var(--text-primary-color, #fff);
  }
  button.danger {
    border-color: var(--error-color, #db4437);
    color: var(--error-color, #db4437);
  }
  button:disabled {
    opacity: 0.5;
    cursor: default;
  }
  input,
  select {
    font: inherit;
    font-size: 14px;
    padding: 6px 8px;
    border-radius: 6px;
    border: 1px solid var(--divider-color, #ccc);
    background: var(--secondary-background-color, #fafafa);
    color: var(--primary-text-color);
    min-width: 0;
  }
  label {
    display: flex;
    flex-direction: column;
    gap: 4px;
    font-size: 12px;
    color: var(--secondary-text-color);
  }
  .row {
    display: flex;
    flex-wrap: wrap;
    gap: 8px;
    align-items: center;
  }
  .chip {
    display: inline-block;
    border-radius: 10px;
    padding: 2px 8px;
    font-size: 12px;
    font-weight: 500;
    color: #fff;
    background: var(--secondary-text-color);
  }
  .chip.known {
    background: var(--success-color, #43a047);
  }
  .chip.unknown {
    background: var(--warning-color, #ffa600);
  }
  .chip.blacklisted,
  .chip.failed {
    background: var(--error-color, #db4437);
  }
  .message {
    padding: 8px 12px;
    border-radius: 8px;
    margin-bottom: 12px;
    font-size: 14px;
  }
  .message.error {
    background: rgba(219, 68, 55, 0.12);
    color: var(--error-color, #db4437);
  }
  .message.info {
    background: rgba(3, 169, 244, 0.12);
  }
  .outside {
    color: var(--error-color, #db4437);
    font-size: 13px;
    font-weight: 500;
  }
  .face-row {
    display: flex;
    gap: 12px;
    align-items: center;
  }
  img.face,
  .face.initials {
    width: 72px;
    height: 72px;
    object-fit: cover;
    border-radius: 8px;
    background: var(--secondary-background-color, #eee);
  }
`;
