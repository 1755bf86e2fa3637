package dev.kura.frontend.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The waiting room's contract: free slots admit at once; beyond them requests queue per tenant and
 * freed slots go round-robin over tenants; queues are bounded per tenant and in total; a waiter
 * whose time runs out leaves and is refused. Waiters are virtual threads; the test waits on the
 * room's own counters, never on a sleep.
 */
class WaitingRoomTest {
    private static final long LONG_WAIT = 30_000;

    @Test
    void admitsAtOnceWhileSlotsAreFree() throws Exception {
        WaitingRoom room = new WaitingRoom(2, 0, 0, 0);
        assertThat(room.enter("a")).isTrue();
        assertThat(room.enter("b")).isTrue();
        assertThat(room.enter("c")).as("no wait allowed: refused at once").isFalse();
        room.release();
        assertThat(room.enter("c")).isTrue();
        assertThat(room.inUse()).isEqualTo(2);
    }

    @Test
    void freedSlotsGoRoundRobinAcrossTenants() throws Exception {
        WaitingRoom room = new WaitingRoom(1, LONG_WAIT, 100, 1000);
        assertThat(room.enter("held")).isTrue();
        ConcurrentLinkedQueue<String> order = new ConcurrentLinkedQueue<>();
        List<Thread> waiters = new ArrayList<>();
        // tenant "greedy" queues 6 requests before "a" and "b" queue 2 each
        for (String tenant : List.of("greedy", "greedy", "greedy", "greedy", "greedy", "greedy", "a", "b", "a", "b")) {
            int before = room.waiting();
            waiters.add(Thread.ofVirtual().start(() -> {
                try {
                    if (room.enter(tenant)) {
                        order.add(tenant);
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }));
            awaitWaiting(room, before + 1); // queue them in a known order
        }
        for (int i = 0; i < waiters.size(); i++) {
            int admitted = order.size();
            room.release(); // the slot passes to the next waiter in turn, who records itself
            awaitTrue(() -> order.size() == admitted + 1);
        }
        for (Thread t : waiters) {
            t.join();
        }
        assertThat(order).containsExactly("greedy", "a", "b", "greedy", "a", "b", "greedy", "greedy", "greedy", "greedy");
        assertThat(room.waiting()).isZero();
        assertThat(room.inUse()).isEqualTo(1); // the last admitted still holds the slot
    }

    @Test
    void queuesAreBoundedPerTenantAndInTotal() throws Exception {
        WaitingRoom room = new WaitingRoom(1, LONG_WAIT, 2, 3);
        assertThat(room.enter("held")).isTrue();
        List<Thread> waiters = new ArrayList<>();
        for (String tenant : List.of("a", "a", "b")) {
            int before = room.waiting();
            waiters.add(Thread.ofVirtual().start(() -> {
                try {
                    room.enter(tenant);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }));
            awaitWaiting(room, before + 1);
        }
        assertThat(room.enter("a")).as("tenant a already has 2 waiting").isFalse();
        assertThat(room.enter("c")).as("3 waiting in all").isFalse();
        assertThat(room.waiting()).isEqualTo(3);
        waiters.forEach(Thread::interrupt); // interrupted waiters leave their queues
        for (Thread t : waiters) {
            t.join();
        }
        assertThat(room.waiting()).isZero();
        room.release();
        assertThat(room.inUse()).isZero();
    }

    @Test
    void aWaiterWhoseTimeRunsOutIsRefusedAndLeaves() throws Exception {
        WaitingRoom room = new WaitingRoom(1, 50, 10, 10);
        assertThat(room.enter("held")).isTrue();
        long start = System.nanoTime();
        assertThat(room.enter("a")).isFalse();
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isGreaterThanOrEqualTo(45);
        assertThat(room.waiting()).isZero();
        room.release();
        assertThat(room.enter("a")).as("the slot went back to the pool, not to the departed waiter").isTrue();
    }

    private static void awaitWaiting(WaitingRoom room, int n) throws InterruptedException {
        awaitTrue(() -> room.waiting() == n);
    }

    private static void awaitTrue(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not reached");
            }
            Thread.onSpinWait();
            Thread.yield();
        }
    }
}
