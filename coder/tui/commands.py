"""Every key binding of the current screen, also in Textual's command palette (ctrl+p)."""

from __future__ import annotations

from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider


class BindingCommands(Provider):
    """Offers each binding active on the screen the palette was opened from."""

    def _commands(self) -> list[tuple[str, str, object, str]]:
        commands, seen = [], set()
        for key, active in self.screen.active_bindings.items():
            binding = active.binding
            if not binding.description or (binding.action, binding.description) in seen:
                continue
            seen.add((binding.action, binding.description))
            keys = binding.key_display or self.app.get_key_display(binding) or key
            commands.append((binding.description, keys, active.node, binding.action))
        return commands

    async def discover(self) -> Hits:
        for description, keys, node, action in self._commands():
            yield DiscoveryHit(description, partial(node.run_action, action), help=f"key: {keys}")

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for description, keys, node, action in self._commands():
            score = matcher.match(description)
            if score > 0:
                yield Hit(score, matcher.highlight(description), partial(node.run_action, action),
                          help=f"key: {keys}")
