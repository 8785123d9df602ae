#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Stand-ins for systemd (org.freedesktop.systemd1) and logind (org.freedesktop.login1)
on the bus DBUS_SYSTEM_BUS_ADDRESS names, answering only what host_exporter's (and
node_exporter's) systemd and logind collectors ask: Manager.ListUnits and the Version,
Virtualization and SystemState properties, unit properties at the escaped unit paths
systemd uses, Manager.ListSeats, Manager.ListSessions and session properties.

Usage: fake_services.py base|variant|garbage|silent
                                           (on the bus; prints "ready" once the names are owned)
       fake_services.py wedged SOCKET_PATH     (a socket that accepts and never says a word)

base:    a systemd 252 host with services, timers, sockets, mounts and sessions of every kind.
variant: Version cannot be read and Virtualization is empty (bare metal).
garbage: every property has the wrong D-Bus type, except a Version in "systemd 245 (...)" form.
silent:  owns both names and never answers a call.
"""
import socket
import sys
import time

U64_MAX = 2**64 - 1
SEC = 1000000  # microseconds

# name -> (load state, active state, {interface suffix: {property: (type, value)}})
UNITS = {
    'ssh.service': ('loaded', 'active', {
        'Unit': {'ActiveEnterTimestamp': ('t', 1700000000 * SEC + 250000)},
        'Service': {'Type': ('s', 'notify'), 'NRestarts': ('u', 2),
                    'TasksCurrent': ('t', 3), 'TasksMax': ('t', 4915)}}),
    'cron.service': ('loaded', 'active', {
        'Unit': {'ActiveEnterTimestamp': ('t', 1700000100 * SEC)},
        'Service': {'Type': ('s', 'simple'), 'NRestarts': ('u', 0),
                    'TasksCurrent': ('t', 1), 'TasksMax': ('t', U64_MAX)}}),
    'broken.service': ('loaded', 'failed', {
        'Unit': {'ActiveEnterTimestamp': ('t', 0)},
        'Service': {'Type': ('s', 'oneshot'), 'NRestarts': ('u', 5),
                    'TasksCurrent': ('t', U64_MAX), 'TasksMax': ('t', 100)}}),
    'starting.service': ('loaded', 'activating', {
        'Service': {'Type': ('s', 'forking'), 'NRestarts': ('u', 1),
                    'TasksCurrent': ('t', 7), 'TasksMax': ('t', 7)}}),
    'reloading.service': ('loaded', 'reloading', {
        'Service': {'Type': ('s', 'exec'), 'NRestarts': ('u', 0)}}),
    # Properties missing: the unit keeps its state series, with type="".
    'mystery.service': ('loaded', 'active', {}),
    'getty@tty1.service': ('loaded', 'active', {
        'Unit': {'ActiveEnterTimestamp': ('t', 1700000200 * SEC + 1)},
        'Service': {'Type': ('s', 'idle'), 'NRestarts': ('u', 0),
                    'TasksCurrent': ('t', 1), 'TasksMax': ('t', 4915)}}),
    'systemd-fsck@dev-disk-by\\x2duuid-0a1b.service': ('loaded', 'inactive', {
        'Service': {'Type': ('s', 'oneshot'), 'NRestarts': ('u', 0),
                    'TasksCurrent': ('t', 0), 'TasksMax': ('t', 4915)}}),
    'stopping.service': ('loaded', 'deactivating', {
        'Service': {'Type': ('s', 'simple'), 'NRestarts': ('u', 3)}}),
    'ghost.service': ('not-found', 'inactive', {}),
    'masked.service': ('masked', 'inactive', {}),
    'multi-user.target': ('loaded', 'active', {
        'Unit': {'ActiveEnterTimestamp': ('t', 1699999990 * SEC)}}),
    'logrotate.timer': ('loaded', 'active', {
        'Unit': {'ActiveEnterTimestamp': ('t', 1699999999 * SEC)},
        'Timer': {'LastTriggerUSec': ('t', 1700003600 * SEC + 123456)}}),
    'never.timer': ('loaded', 'inactive', {
        'Timer': {'LastTriggerUSec': ('t', 0)}}),
    'ssh.socket': ('loaded', 'active', {
        'Unit': {'ActiveEnterTimestamp': ('t', 1699999998 * SEC)},
        'Socket': {'NAccepted': ('u', 120), 'NConnections': ('u', 2), 'NRefused': ('u', 4)}}),
    # systemd before 239 has no NRefused.
    'old.socket': ('loaded', 'active', {
        'Socket': {'NAccepted': ('u', 7), 'NConnections': ('u', 0)}}),
    # Without NConnections the rest of the socket is skipped.
    'odd.socket': ('loaded', 'active', {
        'Socket': {'NAccepted': ('u', 9), 'NRefused': ('u', 1)}}),
    'home.mount': ('loaded', 'active', {
        'Unit': {'ActiveEnterTimestamp': ('t', 1699999000 * SEC)},
        'Mount': {'Type': ('s', 'ext4')}}),
    'proc-sys-fs-binfmt_misc.automount': ('loaded', 'active', {}),
    'dev-sda1.device': ('loaded', 'active', {}),
    'session-2.scope': ('loaded', 'active', {}),
    'system.slice': ('loaded', 'active', {}),
    'swapfile.swap': ('loaded', 'failed', {}),
}

SEATS = ['seat0', 'seat1']

# id -> (seat, {property: (type, value)}); a missing property makes the exporter skip the session.
SESSIONS = {
    '1': ('seat0', {'Remote': ('b', False), 'Type': ('s', 'x11'), 'Class': ('s', 'user')}),
    'c1': ('seat0', {'Remote': ('b', False), 'Type': ('s', 'wayland'), 'Class': ('s', 'greeter')}),
    '2': ('', {'Remote': ('b', True), 'Type': ('s', 'tty'), 'Class': ('s', 'user')}),
    '3': ('', {'Remote': ('b', True), 'Type': ('s', 'tty'), 'Class': ('s', 'user')}),
    '4': ('', {'Remote': ('b', False), 'Type': ('s', 'unspecified'), 'Class': ('s', 'manager')}),
    '5': ('seat1', {'Remote': ('b', False), 'Type': ('s', 'teletype'),
                    'Class': ('s', 'lock-screen')}),
    '6': ('seat9', {'Remote': ('b', False), 'Type': ('s', 'tty'), 'Class': ('s', 'user')}),
    '7': ('', {'Type': ('s', 'tty'), 'Class': ('s', 'user')}),
}


def escape(name):
    """systemd's object path label escaping: [A-Za-z0-9] stay (not a leading digit)."""
    out = []
    for i, b in enumerate(name.encode()):
        c = chr(b)
        if c.isascii() and c.isalnum() and not (i == 0 and c.isdigit()):
            out.append(c)
        else:
            out.append('_%02x' % b)
    return ''.join(out) or '_'


def serve(scenario):
    import dbus
    import dbus.service
    from dbus.mainloop.glib import DBusGMainLoop
    from gi.repository import GLib

    DBusGMainLoop(set_as_default=True)
    bus = dbus.SystemBus()
    props_iface = 'org.freedesktop.DBus.Properties'
    typed = {'t': dbus.UInt64, 'u': dbus.UInt32, 'b': dbus.Boolean, 's': dbus.String}

    def unknown(prop):
        return dbus.exceptions.DBusException(
            'Unknown property ' + prop, name='org.freedesktop.DBus.Error.UnknownProperty')

    def value(table, prop):
        if prop not in table:
            raise unknown(prop)
        kind, v = table[prop]
        return typed[kind](v)

    manager_props = {
        'Version': ('s', '252.38-1~deb12u1'),
        'Virtualization': ('s', 'kvm'),
        'SystemState': ('s', 'running'),
    }
    if scenario == 'variant':
        del manager_props['Version']
        manager_props['Virtualization'] = ('s', '')
    if scenario == 'garbage':
        wrong = {'s': ('u', 7), 'u': ('s', 'seven'), 't': ('u', 7), 'b': ('s', 'yes')}
        for tables in [manager_props] + [t for _, _, u in UNITS.values() for t in u.values()] + \
                [p for _, p in SESSIONS.values()]:
            for prop, (kind, _) in list(tables.items()):
                tables[prop] = wrong[kind]
        manager_props['Version'] = ('s', 'systemd 245 (245.4-4ubuntu3.24)')
    unit_path = {escape(n): n for n in UNITS}

    class Manager(dbus.service.Object):
        @dbus.service.method('org.freedesktop.systemd1.Manager', in_signature='',
                             out_signature='a(ssssssouso)')
        def ListUnits(self, **_):
            return [(n, n, load, active, 'running', '',
                     dbus.ObjectPath('/org/freedesktop/systemd1/unit/' + escape(n)),
                     dbus.UInt32(0), '', dbus.ObjectPath('/'))
                    for n, (load, active, _) in UNITS.items()]

        @dbus.service.method(props_iface, in_signature='ss', out_signature='v')
        def Get(self, iface, prop, **_):
            if iface != 'org.freedesktop.systemd1.Manager':
                raise unknown(prop)
            return value(manager_props, prop)

    class Units(dbus.service.FallbackObject):
        @dbus.service.method(props_iface, in_signature='ss', out_signature='v',
                             rel_path_keyword='rel')
        def Get(self, iface, prop, rel='', **_):
            name = unit_path.get(rel.lstrip('/'))
            if name is None:
                raise dbus.exceptions.DBusException(
                    'No such unit', name='org.freedesktop.DBus.Error.UnknownObject')
            tables = UNITS[name][2]
            return value(tables.get(iface.rsplit('.', 1)[-1], {}), prop)

    class Login(dbus.service.Object):
        @dbus.service.method('org.freedesktop.login1.Manager', in_signature='',
                             out_signature='a(so)')
        def ListSeats(self, **_):
            return [(s, dbus.ObjectPath('/org/freedesktop/login1/seat/' + s)) for s in SEATS]

        @dbus.service.method('org.freedesktop.login1.Manager', in_signature='',
                             out_signature='a(susso)')
        def ListSessions(self, **_):
            return [(sid, dbus.UInt32(1000), 'user', seat,
                     dbus.ObjectPath('/org/freedesktop/login1/session/' + escape(sid)))
                    for sid, (seat, _) in SESSIONS.items()]

    class Sessions(dbus.service.FallbackObject):
        @dbus.service.method(props_iface, in_signature='ss', out_signature='v',
                             rel_path_keyword='rel')
        def Get(self, iface, prop, rel='', **_):
            by_path = {escape(sid): props for sid, (_, props) in SESSIONS.items()}
            if iface != 'org.freedesktop.login1.Session' or rel.lstrip('/') not in by_path:
                raise unknown(prop)
            return value(by_path[rel.lstrip('/')], prop)

    class Silent(dbus.service.FallbackObject):
        """Takes every call the collectors make and never answers it."""
        @dbus.service.method('org.freedesktop.systemd1.Manager', in_signature='',
                             out_signature='a(ssssssouso)', async_callbacks=('ok', 'err'))
        def ListUnits(self, ok, err):
            pass

        @dbus.service.method('org.freedesktop.login1.Manager', in_signature='',
                             out_signature='a(so)', async_callbacks=('ok', 'err'))
        def ListSeats(self, ok, err):
            pass

        @dbus.service.method('org.freedesktop.login1.Manager', in_signature='',
                             out_signature='a(susso)', async_callbacks=('ok', 'err'))
        def ListSessions(self, ok, err):
            pass

        @dbus.service.method(props_iface, in_signature='ss', out_signature='v',
                             async_callbacks=('ok', 'err'))
        def Get(self, iface, prop, ok, err):
            pass

    if scenario == 'silent':
        objects = [Silent(bus, '/org/freedesktop')]
    else:
        objects = [Manager(bus, '/org/freedesktop/systemd1'),
                   Units(bus, '/org/freedesktop/systemd1/unit'),
                   Login(bus, '/org/freedesktop/login1'),
                   Sessions(bus, '/org/freedesktop/login1/session')]

    def own(name):
        # A stand-in killed just before may still hold the name for a moment.
        for _ in range(200):
            try:
                return dbus.service.BusName(name, bus, do_not_queue=True)
            except dbus.exceptions.NameExistsException:
                time.sleep(0.025)
        sys.exit('cannot own ' + name)

    names = [own('org.freedesktop.systemd1'), own('org.freedesktop.login1')]
    print('ready', flush=True)
    GLib.MainLoop().run()
    del objects, names


def wedged(path):
    """Accepts connections and keeps them open without answering the handshake."""
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(path)
    server.listen(16)
    print('ready', flush=True)
    held = []
    while True:
        conn, _ = server.accept()
        held.append(conn)
        time.sleep(0.01)


def main():
    if len(sys.argv) == 3 and sys.argv[1] == 'wedged':
        wedged(sys.argv[2])
    elif len(sys.argv) == 2 and sys.argv[1] in ('base', 'variant', 'garbage', 'silent'):
        serve(sys.argv[1])
    else:
        sys.exit(__doc__)


if __name__ == '__main__':
    main()
