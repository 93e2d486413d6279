"""Tocsin on Discord: slash commands (cogs over the shared `CommandService`) and the runtime.

`runtime.DiscordRuntime` is what the composition root builds; each feature module
(`subscriptions`, `feeds`) is a discord.py extension with a `setup()` that adds its cog.
"""
