package dev.kura.frontend.telemetry;

import dev.kura.frontend.http.RequestInfo;
import dev.kura.index.IndexException;
import dev.kura.index.ObjectIndex;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;

/**
 * Decorates the {@link ObjectIndex} seam: the time a request spends in it is charged to the
 * request's INDEX phase, and failures of the engine itself (not the answers "precondition failed",
 * "no such bucket" and the like, which are normal) are counted as {@code kura_index_failures_total}.
 *
 * <p>A dynamic proxy rather than a hand-written decorator on purpose: the index seam grows with
 * every S3 feature (uploads, versions…), and timing must neither lag behind nor break the build
 * each time it does. Reflection costs tens of nanoseconds against a RocksDB call's microseconds.
 */
public final class TimedIndex implements InvocationHandler {
    private final ObjectIndex index;
    private final Counter failures;

    private TimedIndex(ObjectIndex index, Counter failures) {
        this.index = index;
        this.failures = failures;
    }

    public static ObjectIndex wrap(ObjectIndex index, MeterRegistry registry) {
        Counter failures = Counter.builder("kura.index.failures")
                .description("Index calls that failed in the engine (I/O, closed, corrupt), not domain answers")
                .register(registry);
        return (ObjectIndex) Proxy.newProxyInstance(ObjectIndex.class.getClassLoader(),
                new Class<?>[] {ObjectIndex.class}, new TimedIndex(index, failures));
    }

    @Override
    public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
        if (method.getDeclaringClass() == Object.class) {
            return switch (method.getName()) {
                case "equals" -> proxy == args[0];
                case "hashCode" -> System.identityHashCode(proxy);
                default -> "TimedIndex[" + index + "]";
            };
        }
        long start = RequestScope.start();
        try {
            return method.invoke(index, args);
        } catch (InvocationTargetException e) {
            Throwable cause = e.getCause();
            if (cause instanceof IndexException.EngineFailure
                    || (cause instanceof RuntimeException && !(cause instanceof IllegalArgumentException))) {
                failures.increment();
            }
            throw cause;
        } finally {
            RequestScope.charge(RequestInfo.Phase.INDEX, start);
        }
    }
}
