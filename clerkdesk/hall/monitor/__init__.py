"""The duty lead's hall (issue 13): the monitor's snapshot (`snapshot`), congestion alerts with
hysteresis (`alerts`) and the hall's watcher that raises and clears them and records the end of
expired tide windows (`watch`). The pure rules are in `hall.rules.monitor` and `hall.rules.tide`;
tide windows themselves in `hall.windows.tide`."""
